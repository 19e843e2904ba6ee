"""Every size and count formula of cnnspec, each defined once.

Integer arithmetic only (``//``, never ``/``), so each function returns an ``int`` for int
arguments and a SymPy expression for symbolic ones::

    >>> conv_out_size(7, 3, stride=2, padding=1)
    4
    >>> import sympy; H = sympy.Symbol("H", integer=True, positive=True)
    >>> conv_out_size(H, 3, stride=2, padding=1)
    floor(H/2 - 1/2) + 1

For concrete ints the preconditions are checked and a broken one raises
:class:`~cnnspec.errors.InvalidConfig` naming the rule; for symbols the expression is
returned and the caller states the conditions (``conditions_conv`` and friends).

Per-axis functions take one spatial size; the ``*_shape`` functions map them over axes.
Padding arguments accept an int (both sides) or a ``(before, after)`` pair.

The formulas live in four modules, each name importable from here: :mod:`.sizes` (output
sizes, kernel fits, padding words), :mod:`.counts` (parameters, MACs), :mod:`.fields`
(receptive fields, network helpers) and :mod:`._common` (the Int type, min/max/product,
ceil_div, the padding-pair and bool-flag arguments).
"""

from __future__ import annotations

# The names the one-file module had stay importable from cnnspec.formulas (helpers included).
from collections.abc import Iterable, Sequence  # noqa: F401
from dataclasses import dataclass  # noqa: F401
from typing import Any  # noqa: F401

from .._check import as_int, at_least, is_symbolic, pairs, per_axis, require  # noqa: F401
from ..errors import InvalidConfig  # noqa: F401
from ._common import Int, _flag, _max, _min, _pad_pair, _prod, ceil_div  # noqa: F401
from .counts import (  # noqa: F401
    _groups,
    _sizes,
    batch_norm_buffers,
    batch_norm_params,
    conv_flops,
    conv_macs,
    conv_params,
    conv_transpose_contributions,
    conv_transpose_macs,
    conv_transpose_params,
    dense_macs,
    dense_params,
    depthwise_separable_params,
    pool_params,
)
from .fields import (
    RF,
    adaptive_pool_window,
    flatten_size,
    floor_dropped,
    receptive_field_step,
    receptive_field_union,
    receptive_fields,
)
from .sizes import (  # noqa: F401
    PADDING_WORDS,
    _axis,
    _first_padding_only_window,
    _kernel_fits,
    _pool_size,
    _shape,
    avg_pool_dilated_count,
    causal_padding,
    conv_out_shape,
    conv_out_size,
    conv_transpose_out_shape,
    conv_transpose_out_size,
    conv_transpose_output_padding_for,
    conv_transpose_same_padding,
    effective_kernel,
    full_padding,
    named_padding,
    pool_out_shape,
    pool_out_size,
    pool_window_has_input,
    same_padding,
    torch_same_padding,
    valid_padding,
)

__all__ = [
    "ceil_div", "effective_kernel", "conv_out_size", "conv_out_shape", "pool_out_size",
    "pool_out_shape", "conv_transpose_out_size", "conv_transpose_out_shape", "same_padding",
    "torch_same_padding", "valid_padding", "full_padding", "PADDING_WORDS", "named_padding",
    "pool_window_has_input",
    "conv_params", "conv_transpose_params", "dense_params", "depthwise_separable_params",
    "pool_params", "batch_norm_params", "batch_norm_buffers", "conv_macs",
    "conv_transpose_macs", "dense_macs", "RF", "receptive_field_step", "receptive_fields",
    "adaptive_pool_window", "flatten_size", "floor_dropped", "receptive_field_union",
    "causal_padding", "conv_flops", "conv_transpose_contributions",
    "conv_transpose_output_padding_for", "conv_transpose_same_padding", "avg_pool_dilated_count",
]
