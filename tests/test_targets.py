"""The built-in targets in the target contract (docs/contract.md), against the reference target.

Each target loads and defines the four ops; wherever it computes, it agrees exactly with
``cnnspec.targets.reference`` on integer-valued data (a NotImplementedError is counted with
``hypothesis.event`` and must name the limit it hit), on the boundary configurations too;
and its documented limits happen, each on a hand-checkable case.  The targets validate
nothing themselves: on an invalid configuration, what the library computes or raises is a
measurement (``cnnspec conform --level refuse``, conformance/results), not an expectation
here; the tests only check that the target hands the call to the library.  torch_cuda and
torch_cuda_tf32 run only with a CUDA device.
"""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest
from helpers import arange, cites
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from cnnspec.asserts import assert_exact
from cnnspec.strategies import (
    PoolConfig,
    boundary_conv_configs,
    boundary_conv_transpose_configs,
    boundary_pool_configs,
    conv_configs,
    conv_transpose_configs,
    pool_configs,
)
from cnnspec.targets import OPS, load_target, reference

TORCH = pytest.mark.torch
TARGETS = [pytest.param("cnnspec.targets.scipy", id="scipy"),
           pytest.param("cnnspec.targets.torch_cpu", id="torch_cpu", marks=TORCH),
           pytest.param("cnnspec.targets.torch_cuda", id="torch_cuda",
                        marks=(TORCH, pytest.mark.cuda)),
           pytest.param("cnnspec.targets.torch_cuda_tf32", id="torch_cuda_tf32",
                        marks=(TORCH, pytest.mark.cuda))]
#: What every NotImplementedError of a built-in target names: the limit it hit.
LIMIT = re.compile(r"torch limit|SciPy limit|limit of this mapping|no CUDA device")
POOL_KINDS = st.sampled_from(["max", "avg"])


@pytest.fixture(scope="module", params=TARGETS)
def target(request):
    if "torch" in request.param:
        pytest.importorskip("torch")
    t = load_target(request.param)
    if t.unavailable:
        pytest.skip(t.unavailable)
    return t


def outcome(fn):
    """(result, None) or (None, exception)."""
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001 - the caller checks which
        return None, e


def agrees_with_the_reference(target, op, cfg, *arrays, rule):
    """target.op equals reference.op exactly, or raises NotImplementedError naming a limit."""
    copies = [None if a is None else a.copy() for a in arrays]
    y, err = outcome(lambda: getattr(target.module, op)(*copies, **cfg.kwargs))
    if isinstance(err, NotImplementedError):
        event(f"{op}: unsupported")
        assert LIMIT.search(str(err)), f"NotImplementedError({err}), but should name the limit"
        return
    if err is not None:
        raise AssertionError(f"{op} raised {type(err).__name__}: {err}, but should compute "
                             f"[{rule}]\n  [{cfg.call(op)}]")
    event(f"{op}: computed")
    for a, c in zip(arrays, copies):
        assert a is None or np.array_equal(a, c, equal_nan=True), f"{op} changed an input"
        assert c is None or not np.shares_memory(y, c), f"{op} returned a view of an input"
    assert_exact(y, getattr(reference, op)(*arrays, **cfg.kwargs), rule=rule, call=cfg.call(op))


def agrees_where_the_reference_computes(target, op, cfg, *arrays, rule):
    """On a boundary configuration the reference computes, as agrees_with_the_reference; the
    configurations it refuses are the library's to refuse or not (drawn again)."""
    _, ref_err = outcome(lambda: getattr(reference, op)(*arrays, **cfg.kwargs))
    assume(ref_err is None)
    agrees_with_the_reference(target, op, cfg, *arrays, rule=rule)


# ---------------------------------------------------------------- loading


def test_loads_and_defines_every_op(target):
    missing = [op for op in OPS if not target.has(op)]
    assert not missing, f"{target.name} does not define {missing}"


@TORCH
def test_torch_cpu_without_torch_names_the_extra(monkeypatch):
    import cnnspec.targets

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    for name in ("_torch", "torch_cpu"):  # forget them, so that they are imported again
        monkeypatch.delitem(sys.modules, f"cnnspec.targets.{name}", raising=False)
        monkeypatch.delattr(cnnspec.targets, name, raising=False)
    with pytest.raises(ImportError, match=re.escape("pip install 'cnnspec[torch]'")):
        importlib.import_module("cnnspec.targets.torch_cpu")


@TORCH
@pytest.mark.parametrize("name", ["torch_cuda", "torch_cuda_tf32"])
def test_cuda_targets_say_unavailable_without_a_device(name):
    torch = pytest.importorskip("torch")
    module = importlib.import_module(f"cnnspec.targets.{name}")
    if torch.cuda.is_available():
        assert module.UNAVAILABLE is None
        return
    assert module.UNAVAILABLE == "no CUDA device"
    with pytest.raises(NotImplementedError, match="no CUDA device"):
        module.conv(arange(1, 1, 3), np.ones((1, 1, 1)), None, stride=(1,), padding=((0, 0),),
                    dilation=(1,), groups=1)


def test_tf32_target_declares_its_precision():
    pytest.importorskip("torch")
    from cnnspec.targets import torch_cuda_tf32

    assert load_target(torch_cuda_tf32).precision == "tf32"


@pytest.mark.cuda
def test_tf32_target_restores_the_flags_and_returns_float32():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    from cnnspec.targets import torch_cuda_tf32

    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    y = torch_cuda_tf32.conv(arange(1, 2, 5, 5), np.ones((3, 2, 3, 3)), None, stride=(1, 1),
                             padding=((1, 1), (1, 1)), dilation=(1, 1), groups=1)
    assert y.dtype == np.float32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before


# ---------------------------------------------------------------- values


@cites("conv.def", "conv.out-size")
@given(cfg=conv_configs())
def test_conv_agrees_with_the_reference(target, cfg):
    agrees_with_the_reference(target, "conv", cfg, cfg.x, cfg.w, cfg.b, rule="conv.def")


@cites("conv-transpose.def", "conv-transpose.out-size")
@given(cfg=conv_transpose_configs())
def test_conv_transpose_agrees_with_the_reference(target, cfg):
    agrees_with_the_reference(target, "conv_transpose", cfg, cfg.x, cfg.w, cfg.b,
                              rule="conv-transpose.def")


@cites("pool.max-def", "pool.max-nan", "pool.ceil-mode")
@given(cfg=pool_configs(kind="max", max_nans=1))
def test_max_pool_agrees_with_the_reference(target, cfg):
    agrees_with_the_reference(target, "max_pool", cfg, cfg.x, rule="pool.max-def")


@cites("pool.avg-def", "pool.avg-divisor", "pool.ceil-mode")
@given(cfg=pool_configs(kind="avg"))
def test_avg_pool_agrees_with_the_reference(target, cfg):
    agrees_with_the_reference(target, "avg_pool", cfg, cfg.x, rule="pool.avg-divisor")


# ---------------------------------------------------------------- boundaries

#: boundary draws are about half invalid (the reference refuses them): filtering is the design
BOUNDARY = settings(suppress_health_check=[HealthCheck.filter_too_much])


@cites("conv.kernel-fits", "conv.groups", "conv.channels", "conv.bias")
@BOUNDARY
@given(cfg=boundary_conv_configs())
def test_conv_agrees_on_the_valid_side_of_the_boundaries(target, cfg):
    agrees_where_the_reference_computes(target, "conv", cfg, cfg.x, cfg.w, cfg.b,
                                        rule="conv.kernel-fits")


@cites("conv-transpose.output-padding", "conv-transpose.out-size", "conv-transpose.groups",
       "conv-transpose.channels")
@BOUNDARY
@given(cfg=boundary_conv_transpose_configs())
def test_conv_transpose_agrees_on_the_valid_side_of_the_boundaries(target, cfg):
    agrees_where_the_reference_computes(target, "conv_transpose", cfg, cfg.x, cfg.w, cfg.b,
                                        rule="conv-transpose.out-size")


@cites("pool.kernel-fits", "pool.window-has-input")
@BOUNDARY
@given(cfg=POOL_KINDS.flatmap(lambda kind: boundary_pool_configs(kind=kind)))
def test_pool_agrees_on_the_valid_side_of_the_boundaries(target, cfg):
    agrees_where_the_reference_computes(target, f"{cfg.kind}_pool", cfg, cfg.x,
                                        rule="pool.kernel-fits")


@cites("config.nonempty")
@pytest.mark.parametrize("op", OPS)
def test_a_batch_of_0_gives_a_batch_of_0(target, op):
    # PyTorch computes an empty result for a batch of 0, and so does the spec
    x, w = np.zeros((0, 1, 4)), np.ones((1, 3, 2))  # (N, C, W), (C_in, C_out, K) or (C_out, C_in, K)
    kw = dict(stride=(1,), padding=((0, 0),))
    call = {"conv": lambda: target.module.conv(x, w[:, :1].reshape(1, 1, 2), None,
                                               dilation=(1,), groups=1, **kw),
            "conv_transpose": lambda: target.module.conv_transpose(
                x, w, None, output_padding=(0,), dilation=(1,), groups=1, **kw),
            "max_pool": lambda: target.module.max_pool(x, kernel=(2,), dilation=(1,),
                                                       ceil_mode=False, **kw),
            "avg_pool": lambda: target.module.avg_pool(x, kernel=(2,), ceil_mode=False,
                                                       count_include_pad=True, **kw)}[op]
    expected = {"conv": (0, 1, 3), "conv_transpose": (0, 3, 5), "max_pool": (0, 1, 3),
                "avg_pool": (0, 1, 3)}[op]  # L' = 4 - 2 + 1; transposed: (4 - 1) + 2
    try:
        y = call()
    except NotImplementedError:
        pytest.skip(f"{target.name} declares a batch of 0 unsupported")
    assert y.shape == expected


# ---------------------------------------------------------------- torch's calls and limits

torch_only = pytest.mark.parametrize("name", [pytest.param("cnnspec.targets.torch_cpu",
                                                           id="torch_cpu", marks=TORCH)])


def _pool(kind, x_shape, *, kernel, stride, padding, dilation=None, ceil_mode=False,
          count_include_pad=True):
    """A PoolConfig on x = arange (values show where each output came from)."""
    return PoolConfig(kind, arange(*x_shape), kernel, stride, padding,
                      dilation or (1,) * len(kernel), ceil_mode, count_include_pad)


HANDED_OVER = [  # (why, op, contract arguments, the same call of torch.nn.functional)
    ("ceil-mode window past the input", "max_pool",
     lambda x: dict(kernel=(4,), stride=(2,), padding=((0, 0),), dilation=(1,), ceil_mode=True),
     lambda F, x: F.max_pool1d(x, 4, 2, ceil_mode=True), (1, 1, 3)),
    ("kernel larger than the input, ceil mode", "avg_pool",
     lambda x: dict(kernel=(5,), stride=(4,), padding=((0, 0),), ceil_mode=True,
                    count_include_pad=True),
     lambda F, x: F.avg_pool1d(x, 5, 4, ceil_mode=True), (1, 1, 4)),
    ("dilated window of padding only", "max_pool",
     lambda x: dict(kernel=(2,), stride=(1,), padding=((1, 1),), dilation=(3,), ceil_mode=False),
     lambda F, x: F.max_pool1d(x, 2, 1, padding=1, dilation=3), (1, 1, 2)),
    ("negative padding", "max_pool",
     lambda x: dict(kernel=(2,), stride=(1,), padding=((-1, -1),), dilation=(1,), ceil_mode=False),
     lambda F, x: F.max_pool1d(x, 2, 1, padding=-1), (1, 1, 4)),
    ("bias of another length", "conv",
     lambda x: dict(w=np.ones((2, 1, 2)), b=np.ones(3), stride=(1,), padding=((0, 0),),
                    dilation=(1,), groups=1),
     lambda F, x: F.conv1d(x, x.new_ones(2, 1, 2), x.new_ones(3)), (1, 1, 4)),
    ("stride 0", "conv",
     lambda x: dict(w=np.ones((1, 1, 2)), b=None, stride=(0,), padding=((0, 0),),
                    dilation=(1,), groups=1),
     lambda F, x: F.conv1d(x, x.new_ones(1, 1, 2), stride=0), (1, 1, 4)),
]


@cites("pool.kernel-fits", "pool.window-has-input", "config.padding", "conv.bias",
       "config.stride")
@torch_only
@pytest.mark.parametrize("why, op, arguments, direct, x_shape", HANDED_OVER,
                         ids=[r[0] for r in HANDED_OVER])
def test_torch_decides_what_the_spec_refuses(name, why, op, arguments, direct, x_shape):
    """The target validates nothing: on a configuration the reference refuses, it returns
    what torch returns, or raises what torch raises."""
    torch = pytest.importorskip("torch")
    x = arange(*x_shape)
    kwargs = arguments(x)
    args = (x, kwargs.pop("w"), kwargs.pop("b")) if op == "conv" else (x,)
    _, ref_err = outcome(lambda: getattr(reference, op)(*args, **kwargs))
    assert ref_err is not None, f"{why}: the reference computes, but the case should be invalid"
    y, err = outcome(lambda: getattr(load_target(name).module, op)(*args, **kwargs))
    y_torch, err_torch = outcome(lambda: direct(torch.nn.functional, torch.from_numpy(x)))
    if err_torch is None:
        assert err is None, f"{why}: torch computes, but the target raised {err!r}"
        np.testing.assert_array_equal(y, y_torch.numpy())
    else:
        assert type(err) is type(err_torch) and str(err) == str(err_torch), (
            f"{why}: torch raises {err_torch!r}, but the target gave {err if err else y!r}")


REFUSED = [  # (why, kind, x_shape, parameters, what the message names)
    ("count_include_pad=False, asymmetric", "avg", (1, 1, 4),
     dict(kernel=(2,), stride=(1,), padding=((0, 1),), count_include_pad=False), "would be counted"),
    ("count_include_pad=False, pad > k//2", "avg", (1, 1, 4),
     dict(kernel=(3,), stride=(1,), padding=((2, 2),), count_include_pad=False), "kernel // 2"),
    ("ceil_mode, a window starts in padding after", "max", (1, 1, 4),
     dict(kernel=(2,), stride=(2,), padding=((0, 1),), ceil_mode=True), "torch keeps"),
    ("avg_pool3d, input side < kernel", "avg", (1, 1, 2, 3, 3),
     dict(kernel=(3, 3, 3), stride=(1, 1, 1), padding=((1, 1),) * 3, count_include_pad=False),
     "avg_pool3d refuses"),
    ("4 spatial axes", "max", (1, 1, 2, 2, 2, 2),
     dict(kernel=(1, 1, 1, 1), stride=(1, 1, 1, 1), padding=((0, 0),) * 4), "4 spatial axes"),
]


@torch_only
@pytest.mark.parametrize("why, kind, x_shape, params, names", REFUSED,
                         ids=[r[0] for r in REFUSED])
def test_torch_limits_are_unsupported_and_named(name, why, kind, x_shape, params, names):
    pytest.importorskip("torch")
    cfg = _pool(kind, x_shape, **params)
    reference_y = getattr(reference, f"{kind}_pool")(cfg.x, **cfg.kwargs)  # valid in the spec
    assert reference_y.size >= 1
    with pytest.raises(NotImplementedError) as e:
        getattr(load_target(name).module, f"{kind}_pool")(cfg.x, **cfg.kwargs)
    assert "torch limit" in str(e.value) and names in str(e.value)


@cites("conv-transpose.out-size")
@torch_only
def test_torch_conv_transpose_crop_leaving_nothing_is_unsupported_and_named(name):
    # torch computes 1 cell with padding min(0, 1) = 0; cropping the other cell leaves none,
    # so torch never sees the padding (0, 1) it cannot take
    pytest.importorskip("torch")
    x, w = arange(1, 1, 1), np.ones((1, 1, 1))  # (N, C, W), (C_in, C_out, K)
    with pytest.raises(NotImplementedError, match=r"torch limit.*leaves none"):
        load_target(name).module.conv_transpose(x, w, None, stride=(1,), padding=((0, 1),),
                                                output_padding=(0,), dilation=(1,), groups=1)


EXPRESSED = [  # configurations torch refuses as given, computed with a pre-pad
    ("pad > k//2", "max", (1, 1, 5), dict(kernel=(3,), stride=(1,), padding=((2, 2),))),
    ("asymmetric, floor", "avg", (1, 1, 5), dict(kernel=(3,), stride=(2,), padding=((0, 2),))),
    ("asymmetric, ceil, more before", "max", (1, 1, 5),
     dict(kernel=(2,), stride=(2,), padding=((1, 0),), ceil_mode=True)),
    ("asymmetric, ceil, more after, last window on the input", "max", (1, 1, 5),
     dict(kernel=(2,), stride=(2,), padding=((0, 1),), ceil_mode=True)),
    ("avg_pool3d, input side < kernel", "avg", (1, 1, 2, 3, 3),
     dict(kernel=(3, 3, 3), stride=(1, 1, 1), padding=((1, 1),) * 3)),
]


@torch_only
@pytest.mark.parametrize("why, kind, x_shape, params", EXPRESSED, ids=[r[0] for r in EXPRESSED])
def test_torch_computes_what_a_pre_pad_expresses(name, why, kind, x_shape, params):
    pytest.importorskip("torch")
    cfg = _pool(kind, x_shape, **params)
    op = f"{kind}_pool"
    assert_exact(getattr(load_target(name).module, op)(cfg.x, **cfg.kwargs),
                 getattr(reference, op)(cfg.x, **cfg.kwargs), rule=f"pool.{kind}-def",
                 call=cfg.call())


# ---------------------------------------------------------------- SciPy's limits


@cites("pool.max-nan")
def test_scipy_max_pool_with_nan_is_unsupported_and_named():
    # ndimage.maximum_filter([1, nan, 3], 3) keeps or skips the NaN by position
    x = np.array([[[1.0, np.nan, 3.0, 0.0]]])  # (N, C, W)
    with pytest.raises(NotImplementedError, match="SciPy limit"):
        load_target("cnnspec.targets.scipy").module.max_pool(
            x, kernel=(2,), stride=(1,), padding=((0, 0),), dilation=(1,), ceil_mode=False)


@cites("pool.ceil-mode")
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_scipy_ceil_mode_is_unsupported_and_named(kind):
    # W=4, kernel 3, stride 2: ndimage computes every window; which one past the last whole
    # window a ceil mode keeps is a convention SciPy does not define
    cfg = _pool(kind, (1, 1, 4), kernel=(3,), stride=(2,), padding=((0, 0),), ceil_mode=True)
    assert getattr(reference, f"{kind}_pool")(cfg.x, **cfg.kwargs).shape == (1, 1, 2)  # valid
    with pytest.raises(NotImplementedError, match="SciPy limit"):
        getattr(load_target("cnnspec.targets.scipy").module, f"{kind}_pool")(cfg.x, **cfg.kwargs)


@TORCH
def test_the_tf32_code_path_returns_float32_and_restores_the_flags():
    """torch_cuda_tf32's path run on the CPU (where the TF32 flags exist and do nothing)."""
    torch = pytest.importorskip("torch")
    from cnnspec.targets import _torch

    conv, *_ = _torch.ops("cpu", "float32", tf32=True)
    x, w = arange(1, 2, 5, 5), np.ones((3, 2, 3, 3))  # (N, C_in, H, W), (C_out, C_in, K, K)
    kw = dict(stride=(1, 1), padding=((1, 0), (0, 2)), dilation=(1, 1), groups=1)
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    y = conv(x, w, None, **kw)
    assert y.dtype == np.float32
    assert (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32) == before
    assert_exact(y, reference.conv(x, w, None, **kw), rule="conv.def", call="conv(float32)")
