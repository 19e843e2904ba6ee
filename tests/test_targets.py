"""The built-in targets in the target contract (docs/contract.md), against the reference target.

Each target loads and defines the four ops; wherever it computes, it agrees exactly with
``cnnspec.targets.reference`` on integer-valued data (a NotImplementedError is counted with
``hypothesis.event`` and must name the limit it hit); it raises wherever the reference
raises on the boundary configurations; and its documented refusals happen, each on a
hand-checkable case.  torch_cuda and torch_cuda_tf32 run only with a CUDA device.
"""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest
from helpers import arange, cites
from hypothesis import event, given
from hypothesis import strategies as st

from cnnspec.asserts import assert_exact
from cnnspec.errors import InvalidConfig
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
LIMIT = re.compile(r"torch limit|SciPy limit|no CUDA device")
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


def raises_where_the_reference_raises(target, op, cfg, *arrays):
    """Both raise (the target anything but NotImplementedError), or both compute."""
    _, ref_err = outcome(lambda: getattr(reference, op)(*arrays, **cfg.kwargs))
    _, err = outcome(lambda: getattr(target.module, op)(*arrays, **cfg.kwargs))
    if ref_err is None:
        event("valid")
        assert err is None or isinstance(err, NotImplementedError), (
            f"{op} raised {type(err).__name__}: {err}, but should compute\n  [{cfg.call(op)}]")
        return
    event(f"invalid [{ref_err.rule}]")
    assert err is not None and not isinstance(err, NotImplementedError), (
        f"{op} {'computed' if err is None else f'raised NotImplementedError({err})'}, but should "
        f"refuse: the reference raises {ref_err}\n  [{cfg.call(op)}]")


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


# ---------------------------------------------------------------- refusals


@cites("conv.kernel-fits", "conv.groups", "conv.channels", "conv.bias")
@given(cfg=boundary_conv_configs())
def test_conv_raises_where_the_reference_raises(target, cfg):
    raises_where_the_reference_raises(target, "conv", cfg, cfg.x, cfg.w, cfg.b)


@cites("conv-transpose.output-padding", "conv-transpose.out-size", "conv-transpose.groups",
       "conv-transpose.channels")
@given(cfg=boundary_conv_transpose_configs())
def test_conv_transpose_raises_where_the_reference_raises(target, cfg):
    raises_where_the_reference_raises(target, "conv_transpose", cfg, cfg.x, cfg.w, cfg.b)


@cites("pool.kernel-fits", "pool.window-has-input")
@given(cfg=POOL_KINDS.flatmap(lambda kind: boundary_pool_configs(kind=kind)))
def test_pool_raises_where_the_reference_raises(target, cfg):
    raises_where_the_reference_raises(target, f"{cfg.kind}_pool", cfg, cfg.x)


@cites("conv-transpose.out-size")
def test_conv_transpose_refuses_asymmetric_padding_that_crops_everything(target):
    # torch computes 1 cell with padding min(0, 1) = 0; the other cell of padding crops it
    x, w = arange(1, 1, 1), np.ones((1, 1, 1))  # (N, C, W), (C_in, C_out, K)
    with pytest.raises(InvalidConfig, match=r"\[conv-transpose\.out-size\]"):
        target.module.conv_transpose(x, w, None, stride=(1,), padding=((0, 1),),
                                     output_padding=(0,), dilation=(1,), groups=1)


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


# ---------------------------------------------------------------- torch's conventions and limits

torch_only = pytest.mark.parametrize("name", [pytest.param("cnnspec.targets.torch_cpu",
                                                           id="torch_cpu", marks=TORCH)])


def _pool(kind, x_shape, *, kernel, stride, padding, dilation=None, ceil_mode=False,
          count_include_pad=True):
    """A PoolConfig on x = arange (values show where each output came from)."""
    return PoolConfig(kind, arange(*x_shape), kernel, stride, padding,
                      dilation or (1,) * len(kernel), ceil_mode, count_include_pad)


@cites("pool.kernel-fits")
@torch_only
def test_torch_refuses_the_ceil_mode_overhang_torch_computes(name):
    torch = pytest.importorskip("torch")
    # W=3, kernel 4, stride 2, ceil: torch gives 1 window hanging 1 cell past the input
    cfg = _pool("max", (1, 1, 3), kernel=(4,), stride=(2,), padding=((0, 0),), ceil_mode=True)
    assert torch.nn.functional.max_pool1d(torch.from_numpy(cfg.x), 4, 2, ceil_mode=True).shape[-1] == 1
    with pytest.raises(InvalidConfig, match=r"\[pool\.kernel-fits\]"):
        load_target(name).module.max_pool(cfg.x, **cfg.kwargs)


@cites("pool.window-has-input")
@torch_only
def test_torch_refuses_the_all_padding_window_torch_fills_with_minus_inf(name):
    torch = pytest.importorskip("torch")
    # W=2, kernel 2, dilation 3, padding 1: window 0 taps padded cells 0 and 3, both padding
    cfg = _pool("max", (1, 1, 2), kernel=(2,), stride=(1,), padding=((1, 1),), dilation=(3,))
    y = torch.nn.functional.max_pool1d(torch.from_numpy(cfg.x), 2, 1, padding=1, dilation=3)
    assert np.isneginf(y.numpy()).all()
    with pytest.raises(InvalidConfig, match=r"\[pool\.window-has-input\]"):
        load_target(name).module.max_pool(cfg.x, **cfg.kwargs)


REFUSED = [  # (why, kind, x_shape, parameters, what the message names)
    ("count_include_pad=False, asymmetric", "avg", (1, 1, 4),
     dict(kernel=(2,), stride=(1,), padding=((0, 1),), count_include_pad=False), "would be counted"),
    ("count_include_pad=False, pad > k//2", "avg", (1, 1, 4),
     dict(kernel=(3,), stride=(1,), padding=((2, 2),), count_include_pad=False), "kernel // 2 = 1"),
    ("ceil_mode, a window starts in padding after", "max", (1, 1, 4),
     dict(kernel=(2,), stride=(2,), padding=((0, 1),), ceil_mode=True), "ceil mode keeps"),
    ("avg_pool3d, input side < kernel", "avg", (1, 1, 2, 3, 3),
     dict(kernel=(3, 3, 3), stride=(1, 1, 1), padding=((1, 1),) * 3, count_include_pad=False),
     "avg_pool3d refuses"),
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


EXPRESSED = [  # configurations torch refuses as given, computed with a pre-pad
    ("pad > k//2", "max", (1, 1, 5), dict(kernel=(3,), stride=(1,), padding=((2, 2),))),
    ("asymmetric, floor", "avg", (1, 1, 5), dict(kernel=(3,), stride=(2,), padding=((0, 2),))),
    ("asymmetric, ceil, more before", "max", (1, 1, 5),
     dict(kernel=(2,), stride=(2,), padding=((1, 0),), ceil_mode=True)),
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
def test_scipy_ceil_mode_is_exact_past_the_padded_input():
    # W=4, kernel 3, stride 2, ceil: windows [0, 3) and [2, 5); the second overhangs by 1
    x = np.array([[[1.0, 2.0, 3.0, 10.0]]])  # (N, C, W)
    kw = dict(kernel=(3,), stride=(2,), padding=((0, 0),), ceil_mode=True)
    scipy_target = load_target("cnnspec.targets.scipy").module
    np.testing.assert_array_equal(scipy_target.max_pool(x, dilation=(1,), **kw), [[[3, 10]]])
    np.testing.assert_array_equal(scipy_target.avg_pool(x, count_include_pad=True, **kw),
                                  [[[2, 6.5]]])  # (1+2+3)/3, (3+10)/2: the overhang not counted


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
