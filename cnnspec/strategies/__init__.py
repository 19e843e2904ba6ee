"""Hypothesis strategies for cnnspec: layer configurations and their data.

Named as plural nouns, array-api-tests style::

    @given(cfg=conv_configs(max_rank=2))
    def test_something(cfg):
        y = ref.conv(cfg.x, cfg.w, cfg.b, **cfg.kwargs)

Valid strategies (``conv_configs``, ``conv_transpose_configs``, ``pool_configs``) build
every configuration valid by construction, drawing each per-axis parameter inside the
bounds left by the previous ones, so nothing is filtered except the rare pooling window
that dilation makes skip the whole input.  ``boundary_*_configs`` draw configurations on
both sides of one validity boundary per draw (the kernel against the padded input, groups
against the channels, output_padding against max(stride, dilation), ...): the last valid
value, the first invalid one and their neighbours, everything else valid.

``large_*_configs`` draw from small tables of large shapes (outputs up to 129 wide, up to
131 channels, K up to 1170, batches up to 9, sizes one past and one short of 16, 32 and 64):
where tiled and vectorized kernels take their tail paths, at a bounded cost per run.

Capabilities: ``with capabilities(caps):`` (or :func:`set_capabilities`) restricts every
strategy above, at draw time, to what a target computes (``caps`` as
:func:`cnnspec.conform.capabilities.probe` finds it): only its ranks, one value repeated on
every axis where it takes no per-axis values, symmetric padding, no dilation, groups, pool
padding or ceil_mode, a bias and a batch of 1 where it refuses them.  Without capabilities
the strategies draw the whole space.

Data: a config draws a ``seed`` and builds its arrays with NumPy (drawing arrays element by
element with ``hypothesis.extra.numpy`` doubles the cost of an example; see
a measurement on a 2-core machine).  Shrinking still works on the shapes and parameters, and the seed
shrinks to 0.  ``integer_valued=True`` (the default) gives small integers stored as float64,
on which every correct implementation is exact; ``False`` gives standard normal values.

A config's ``repr`` is a paste-able repro (``ConvConfig.build(...)`` rebuilds the same
arrays); its ``str`` / ``call()`` is the call as assertion messages show it
(``conv(x: (1, 2, 5), w: (3, 2, 2), b: (3,), stride=(1,), ...)``), so ``call=cfg`` works.

Strategy arguments are checked when the strategy is made: a strategy that could not
generate anything raises ``hypothesis.errors.InvalidArgument`` instead.

Parts: ``_configs`` (the config classes and their data), ``_caps`` (capabilities),
``_draw`` (drawing helpers the strategies share), ``_valid``, ``_boundary`` and ``_large``
(the strategies); every public name is imported here.
"""

from __future__ import annotations

from ._boundary import (
    CONV_EDGES,
    CONV_TRANSPOSE_EDGES,
    boundary_conv_configs,
    boundary_conv_transpose_configs,
    boundary_pool_configs,
)
from ._boundary import OFF as OFF  # public, though not in __all__: the rules draw them
from ._boundary import STEPS as STEPS
from ._caps import CAPABILITIES, capabilities, current_capabilities, set_capabilities
from ._configs import INT_HIGH, INT_LOW, ConvConfig, ConvTransposeConfig, PoolConfig, make_array
from ._draw import SEEDS
from ._large import (
    LARGE_CONV,
    LARGE_CONV_TRANSPOSE,
    LARGE_POOL,
    LargeShape,
    large_conv_configs,
    large_conv_transpose_configs,
    large_pool_configs,
)
from ._valid import conv_configs, conv_transpose_configs, pool_configs

__all__ = [
    "ConvConfig", "ConvTransposeConfig", "PoolConfig", "make_array", "conv_configs",
    "conv_transpose_configs", "pool_configs", "boundary_conv_configs",
    "boundary_conv_transpose_configs", "boundary_pool_configs", "CONV_EDGES",
    "CONV_TRANSPOSE_EDGES", "SEEDS", "INT_LOW", "INT_HIGH", "CAPABILITIES", "capabilities",
    "set_capabilities", "current_capabilities", "LargeShape", "large_conv_configs",
    "large_conv_transpose_configs", "large_pool_configs", "LARGE_CONV", "LARGE_CONV_TRANSPOSE",
    "LARGE_POOL",
]

# A case's class is named by its module in repros (``from cnnspec.strategies import
# ConvConfig``, conform.repro.case_tag) and in pickles: the package, not the part.
for _cls in (ConvConfig, ConvTransposeConfig, PoolConfig, LargeShape):
    _cls.__module__ = __name__
del _cls
