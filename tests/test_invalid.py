"""Bad input gets a clear error, never a wrong answer.

One table of invalid calls to the reference ops and the formulas.  Each row names the rule
it breaks and the offending value as the message writes it; ``test_rejects`` asserts both
(``pytest.raises(InvalidConfig, match=...)`` on the first line of the message), and
``test_message_format`` checks that the first line reads in the house form:
``name=value, but should be <relation> [rule-id]`` (or ``name=value does not ...``).

Decisions recorded here:
- bool arrays are rejected [config.dtype] like complex, object and str arrays: the spec
  defines sums and maxima of real numbers (ints and floats), and a framework that accepts
  bools computes something else (a logical or, an integer promotion of its own choosing).
- bool parameters (True, np.True_) are rejected [config.int] even though bool subclasses
  int: ``stride=True`` is far more likely a slip than a stride of 1.
- floats are rejected even when integral (2.0): sizes are integer arithmetic.
- parameters are checked before padding strings are resolved, and per spatial axis; a
  message about one axis names it (``stride[1]=0``, ``dilated kernel[2]=5``).

Every row is active: formulas.py and the reference ops reject each one.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy
from helpers import cites, ones

from cnnspec import formulas, ref
from cnnspec.errors import RULE_ID_PATTERN, InvalidConfig

NEG = sympy.Symbol("k", integer=True, negative=True)


def row(call_id: str, rule: str, value: str, fn, *marks):
    """A table row: call_id is the pytest ID, value the text the message must contain."""
    return pytest.param(fn, rule, value, id=call_id, marks=(cites(rule), *marks))


def gap(reason: str):
    return pytest.mark.xfail(strict=True, reason=f"open gap: {reason}")


X1, W1 = (1, 1, 5), (1, 1, 3)  # 1-D: x (N, C, L), w (C_out, C_in, K)

ROWS = [
    # -------------------------------------------------------------- conv: channels, groups
    row("conv(C_in=3, w.shape[1]=2)", "conv.channels", "w.shape[1]=2",
        lambda: ref.conv(ones(1, 3, 5), ones(4, 2, 3))),
    row("conv(groups=2, C_in=4, w.shape[1]=1)", "conv.channels", "w.shape[1]=1",
        lambda: ref.conv(ones(1, 4, 5), ones(4, 1, 3), groups=2)),
    row("conv(groups=3, C_in=8)", "conv.groups", "groups=3 does not divide C_in=8",
        lambda: ref.conv(ones(1, 8, 5), ones(6, 2, 3), groups=3)),
    row("conv(groups=2, C_out=3)", "conv.groups", "groups=2 does not divide C_out=3",
        lambda: ref.conv(ones(1, 4, 5), ones(3, 2, 3), groups=2)),
    row("conv(groups=16, C_in=8)", "conv.groups", "groups=16 does not divide C_in=8",
        lambda: ref.conv(ones(1, 8, 5), ones(16, 1, 3), groups=16)),
    row("conv(groups=0)", "conv.groups", "groups=0",
        lambda: ref.conv(ones(*X1), ones(*W1), groups=0)),
    row("conv(groups=-2)", "conv.groups", "groups=-2",
        lambda: ref.conv(ones(1, 2, 5), ones(2, 1, 3), groups=-2)),
    row("conv(groups=True)", "config.int", "groups=True",
        lambda: ref.conv(ones(*X1), ones(*W1), groups=True)),
    row("conv(groups=np.True_)", "config.int", "groups=np.True_",
        lambda: ref.conv(ones(*X1), ones(*W1), groups=np.True_)),
    row("conv(groups=2.0)", "config.int", "groups=2.0",
        lambda: ref.conv(ones(1, 2, 5), ones(2, 1, 3), groups=2.0)),
    # -------------------------------------------------------------- conv: kernel fits
    row("conv(L=4, K=5)", "conv.kernel-fits", "dilated kernel[0]=5",
        lambda: ref.conv(ones(1, 1, 4), ones(1, 1, 5))),
    row("conv(L=5, K=3, dilation=3)", "conv.kernel-fits", "dilated kernel[0]=7",
        lambda: ref.conv(ones(1, 1, 5), ones(1, 1, 3), dilation=3)),
    row("conv(H=3, W=9, K=(6, 3), padding=((1, 1), (0, 0)))", "conv.kernel-fits",
        "dilated kernel[0]=6, but should be <= padded input=5",
        lambda: ref.conv(ones(1, 1, 3, 9), ones(1, 1, 6, 3), padding=((1, 1), (0, 0)))),
    row("conv(H=5, W=4, K=(3, 5))", "conv.kernel-fits", "dilated kernel[1]=5",
        lambda: ref.conv(ones(1, 1, 5, 4), ones(1, 1, 3, 5))),
    row("conv(D=H=W=4, K=(1, 1, 3), dilation=(1, 1, 2))", "conv.kernel-fits",
        "dilated kernel[2]=5",
        lambda: ref.conv(ones(1, 1, 4, 4, 4), ones(1, 1, 1, 1, 3), dilation=(1, 1, 2))),
    row("conv(D=2, K=(3, 1, 1))", "conv.kernel-fits", "dilated kernel[0]=3",
        lambda: ref.conv(ones(1, 1, 2, 4, 4), ones(1, 1, 3, 1, 1))),
    # -------------------------------------------------------------- stride, dilation, padding
    row("conv(stride=0)", "config.stride", "stride[0]=0",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=0)),
    row("conv(stride=(1, -1))", "config.stride", "stride[1]=-1",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), stride=(1, -1))),
    row("conv(stride=np.array(0))", "config.stride", "stride[0]=0",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=np.array(0))),
    row("conv(dilation=0)", "config.dilation", "dilation[0]=0",
        lambda: ref.conv(ones(*X1), ones(*W1), dilation=0)),
    row("conv(dilation=(-1, 1))", "config.dilation", "dilation[0]=-1",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), dilation=(-1, 1))),
    row("conv(padding=((-1, 0),))", "config.padding", "padding[0]=(-1, 0)",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=((-1, 0),))),
    row("conv(padding=((0, 0), (0, -2)))", "config.padding", "padding[1]=(0, -2)",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), padding=((0, 0), (0, -2)))),
    row("conv(padding=-1)", "config.padding", "padding[0]=(-1, -1)",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=-1)),
    row("conv(padding='middle')", "config.padding", "padding='middle'",
        lambda: ref.conv(ones(*X1), ones(*W1), padding="middle")),
    # -------------------------------------------------------------- rank
    row("conv(x.ndim=3, w.ndim=4)", "config.rank", "w.ndim=4, but should be 3",
        lambda: ref.conv(ones(*X1), ones(1, 1, 3, 3))),
    row("conv(x.ndim=2)", "config.rank", "x.ndim=2",
        lambda: ref.conv(ones(1, 5), ones(1, 1))),
    row("conv(2-D, stride=(1, 1, 1))", "config.rank", "stride=(1, 1, 1) has 3 entries",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), stride=(1, 1, 1))),
    row("conv(2-D, padding=((1, 1),))", "config.rank", "padding=((1, 1),) has 1 entry",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), padding=((1, 1),))),
    row("conv(3-D, dilation=(1, 1))", "config.rank", "dilation=(1, 1) has 2 entries",
        lambda: ref.conv(ones(1, 1, 5, 5, 5), ones(1, 1, 1, 1, 1), dilation=(1, 1))),
    row("conv(padding=((1, 1, 1),))", "config.rank", "padding[0]=(1, 1, 1)",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=((1, 1, 1),))),
    row("conv(x=ragged list)", "config.rank", "x=<ragged list>",
        lambda: ref.conv([[[1.0, 2.0], [3.0]]], ones(1, 1, 1))),
    # -------------------------------------------------------------- bias
    row("conv(C_out=2, b.shape=(3,))", "conv.bias", "b.shape=(3,)",
        lambda: ref.conv(ones(1, 1, 5), ones(2, 1, 3), ones(3))),
    row("conv(C_out=2, b.shape=(2, 1))", "conv.bias", "b.shape=(2, 1)",
        lambda: ref.conv(ones(1, 1, 5), ones(2, 1, 3), ones(2, 1))),
    row("conv(b=0.0)", "conv.bias", "b.shape=()",
        lambda: ref.conv(ones(*X1), ones(*W1), 0.0)),
    row("conv(b.dtype=complex128)", "config.dtype", "b.dtype=complex128",
        lambda: ref.conv(ones(*X1), ones(*W1), np.ones(1, complex))),
    # -------------------------------------------------------------- non-integer parameters
    row("conv(stride=2.5)", "config.int", "stride=2.5",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=2.5)),
    row("conv(stride=2.0)", "config.int", "stride=2.0",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=2.0)),
    row("conv(stride='2')", "config.int", "stride='2'",
        lambda: ref.conv(ones(*X1), ones(*W1), stride="2")),
    row("conv(stride=None)", "config.int", "stride=None",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=None)),
    row("conv(stride=(1, np.float64(2.0)))", "config.int", "stride[1]=np.float64(2.0)",
        lambda: ref.conv(ones(1, 1, 5, 5), ones(1, 1, 3, 3), stride=(1, np.float64(2.0)))),
    row("conv(dilation=True)", "config.int", "dilation=True",
        lambda: ref.conv(ones(*X1), ones(*W1), dilation=True)),
    row("conv(dilation=np.True_)", "config.int", "dilation=np.True_",
        lambda: ref.conv(ones(*X1), ones(*W1), dilation=np.True_)),
    row("conv(stride=nan)", "config.int", "stride=nan",
        lambda: ref.conv(ones(*X1), ones(*W1), stride=float("nan"))),
    row("conv(padding=inf)", "config.int", "padding=inf",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=float("inf"))),
    row("conv(padding=((0, 1.5),))", "config.int", "padding[0][1]=1.5",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=((0, 1.5),))),
    # -------------------------------------------------------------- empty arrays, dtypes
    row("conv(x.shape=(1, 0, 5))", "config.nonempty", "x.shape=(1, 0, 5)",
        lambda: ref.conv(ones(1, 0, 5), ones(1, 0, 3))),
    row("conv(x.shape=(1, 1, 0))", "config.nonempty", "x.shape=(1, 1, 0)",
        lambda: ref.conv(ones(1, 1, 0), ones(1, 1, 1))),
    row("conv(w.shape=(0, 1, 3))", "config.nonempty", "w.shape=(0, 1, 3)",
        lambda: ref.conv(ones(*X1), ones(0, 1, 3))),
    row("conv(x=None)", "config.dtype", "x=None",
        lambda: ref.conv(None, ones(*W1))),
    row("conv(x.dtype=object)", "config.dtype", "x.dtype=object",
        lambda: ref.conv(np.ones(X1, dtype=object), ones(*W1))),
    row("conv(x.dtype=<U1)", "config.dtype", "x.dtype=<U1",
        lambda: ref.conv(np.full(X1, "a"), ones(*W1))),
    row("conv(x.dtype=complex128)", "config.dtype", "x.dtype=complex128",
        lambda: ref.conv(np.ones(X1, complex), ones(*W1))),
    row("conv(x.dtype=bool)", "config.dtype", "x.dtype=bool",
        lambda: ref.conv(np.ones(X1, bool), ones(*W1))),
    row("conv(w.dtype=bool)", "config.dtype", "w.dtype=bool",
        lambda: ref.conv(ones(*X1), np.ones(W1, bool))),
    # -------------------------------------------------------------- padding_mode
    row("conv(padding_mode='mirror')", "pad.modes", "padding_mode='mirror'",
        lambda: ref.conv(ones(*X1), ones(*W1), padding=1, padding_mode="mirror")),
    row("conv(L=3, padding=3, padding_mode='reflect')", "pad.reflect-size", "padding[0]=(3, 3)",
        lambda: ref.conv(ones(1, 1, 3), ones(1, 1, 1), padding=3, padding_mode="reflect")),
    row("conv(L=3, padding=4, padding_mode='circular')", "pad.circular-size",
        "padding[0]=(4, 4)",
        lambda: ref.conv(ones(1, 1, 3), ones(1, 1, 1), padding=4, padding_mode="circular")),
    # -------------------------------------------------------------- convolve
    row("convolve(groups=3, C_in=8)", "conv.groups", "groups=3 does not divide C_in=8",
        lambda: ref.convolve(ones(1, 8, 5), ones(6, 2, 3), groups=3)),
    row("convolve(L=2, K=3)", "conv.kernel-fits", "dilated kernel[0]=3",
        lambda: ref.convolve(ones(1, 1, 2), ones(1, 1, 3))),
    row("convolve(w.ndim=2)", "config.rank", "w.ndim=2",
        lambda: ref.convolve(ones(*X1), ones(1, 1))),
    # -------------------------------------------------------------- conv_transpose
    row("conv_transpose(C_in=3, w.shape[0]=2)", "conv-transpose.channels", "w.shape[0]=2",
        lambda: ref.conv_transpose(ones(1, 3, 4), ones(2, 1, 3))),
    row("conv_transpose(groups=3, C_in=4)", "conv-transpose.groups",
        "groups=3 does not divide C_in=4",
        lambda: ref.conv_transpose(ones(1, 4, 4), ones(4, 1, 3), groups=3)),
    row("conv_transpose(groups=0)", "conv-transpose.groups", "groups=0",
        lambda: ref.conv_transpose(ones(1, 1, 4), ones(1, 1, 3), groups=0)),
    row("conv_transpose(stride=2, output_padding=2)", "conv-transpose.output-padding",
        "output_padding[0]=2, but should be < max(stride=2, dilation=1)=2",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), stride=2, output_padding=2)),
    row("conv_transpose(dilation=(1, 2), output_padding=(0, 2))",
        "conv-transpose.output-padding", "output_padding[1]=2",
        lambda: ref.conv_transpose(ones(1, 1, 3, 3), ones(1, 1, 2, 2), dilation=(1, 2),
                                   output_padding=(0, 2))),
    row("conv_transpose(output_padding=-1)", "conv-transpose.output-padding",
        "output_padding[0]=-1",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), output_padding=-1)),
    row("conv_transpose(1-D, output_padding=(0, 0))", "config.rank",
        "output_padding=(0, 0) has 2 entries",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), output_padding=(0, 0))),
    row("conv_transpose(output_padding=0.5)", "config.int", "output_padding=0.5",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), output_padding=0.5)),
    row("conv_transpose(L=1, K=1, padding=((1, 0),))", "conv-transpose.out-size",
        "output size[0]=0",
        lambda: ref.conv_transpose(ones(1, 1, 1), ones(1, 1, 1), padding=((1, 0),))),
    row("conv_transpose(W=2, K=(3, 3), padding=((0, 0), (3, 3)))", "conv-transpose.out-size",
        "output size[1]=-2",
        lambda: ref.conv_transpose(ones(1, 1, 2, 2), ones(1, 1, 3, 3),
                                   padding=((0, 0), (3, 3)))),
    row("conv_transpose(padding='same')", "config.padding", "padding='same'",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), padding="same")),
    row("conv_transpose(padding=((0, -1),))", "config.padding", "padding[0]=(0, -1)",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), padding=((0, -1),))),
    row("conv_transpose(C_out=3, b.shape=(2,))", "conv-transpose.bias", "b.shape=(2,)",
        lambda: ref.conv_transpose(ones(1, 2, 3), ones(2, 3, 3), ones(2))),
    row("conv_transpose(x.ndim=4, w.ndim=3)", "config.rank", "w.ndim=3, but should be 4",
        lambda: ref.conv_transpose(ones(1, 1, 3, 3), ones(1, 1, 3))),
    row("conv_transpose(stride=0)", "config.stride", "stride[0]=0",
        lambda: ref.conv_transpose(ones(1, 1, 3), ones(1, 1, 3), stride=0)),
    # -------------------------------------------------------------- max_pool
    row("max_pool(kernel=0)", "config.kernel", "kernel[0]=0",
        lambda: ref.max_pool(ones(*X1), kernel=0)),
    row("max_pool(kernel=2.5)", "config.int", "kernel=2.5",
        lambda: ref.max_pool(ones(*X1), kernel=2.5)),
    row("max_pool(H=3, kernel=(4, 2))", "pool.kernel-fits", "dilated kernel[0]=4",
        lambda: ref.max_pool(ones(1, 1, 3, 5), kernel=(4, 2))),
    row("max_pool(D=H=W=4, kernel=3, dilation=(1, 1, 2))", "pool.kernel-fits",
        "dilated kernel[2]=5",
        lambda: ref.max_pool(ones(1, 1, 4, 4, 4), kernel=3, stride=1, dilation=(1, 1, 2))),
    row("max_pool(L=3, kernel=2, stride=2, padding=2)", "pool.window-has-input",
        "padding[0]=(2, 2)",
        lambda: ref.max_pool(ones(1, 1, 3), kernel=2, stride=2, padding=2)),
    # taps at padded positions 0 and 3 straddle the one input cell at 2
    row("max_pool(L=1, kernel=2, stride=1, padding=2, dilation=3)", "pool.window-has-input",
        "padding[0]=(2, 2)",
        lambda: ref.max_pool(ones(1, 1, 1), kernel=2, stride=1, padding=2, dilation=3)),
    # window 1 lies wholly in the right padding
    row("max_pool(L=1, kernel=1, stride=1, padding=((0, 1),))", "pool.window-has-input",
        "padding[0]=(0, 1)",
        lambda: ref.max_pool(ones(1, 1, 1), kernel=1, stride=1, padding=((0, 1),))),
    row("max_pool(stride=0)", "config.stride", "stride[0]=0",
        lambda: ref.max_pool(ones(*X1), kernel=2, stride=0)),
    row("max_pool(dilation=-1)", "config.dilation", "dilation[0]=-1",
        lambda: ref.max_pool(ones(*X1), kernel=2, dilation=-1)),
    row("max_pool(ceil_mode='yes')", "config.int", "ceil_mode='yes'",
        lambda: ref.max_pool(ones(*X1), kernel=2, ceil_mode="yes")),
    row("max_pool(2-D, kernel=(2, 2, 2))", "config.rank", "kernel=(2, 2, 2) has 3 entries",
        lambda: ref.max_pool(ones(1, 1, 4, 4), kernel=(2, 2, 2))),
    row("max_pool(x.dtype=bool)", "config.dtype", "x.dtype=bool",
        lambda: ref.max_pool(np.ones(X1, bool), kernel=2)),
    # -------------------------------------------------------------- avg_pool
    row("avg_pool(W=3, kernel=(1, 2), stride=(1, 2), padding=((0, 0), (2, 2)))",
        "pool.window-has-input", "padding[1]=(2, 2)",
        lambda: ref.avg_pool(ones(1, 1, 2, 3), kernel=(1, 2), stride=(1, 2),
                             padding=((0, 0), (2, 2)))),
    row("avg_pool(L=2, kernel=4, padding=((0, 1),))", "pool.kernel-fits", "dilated kernel[0]=4",
        lambda: ref.avg_pool(ones(1, 1, 2), kernel=4, padding=((0, 1),))),
    row("avg_pool(stride=-1)", "config.stride", "stride[0]=-1",
        lambda: ref.avg_pool(ones(*X1), kernel=2, stride=-1)),
    row("avg_pool(padding=((0, -1),))", "config.padding", "padding[0]=(0, -1)",
        lambda: ref.avg_pool(ones(*X1), kernel=2, padding=((0, -1),))),
    row("avg_pool(x.shape=(1, 0, 5))", "config.nonempty", "x.shape=(1, 0, 5)",
        lambda: ref.avg_pool(ones(1, 0, 5), kernel=2)),
    row("avg_pool(count_include_pad='no')", "config.int", "count_include_pad='no'",
        lambda: ref.avg_pool(ones(*X1), kernel=2, padding=1, count_include_pad="no")),
    # -------------------------------------------------------------- pad
    row("pad(mode='mirror')", "pad.modes", "padding_mode='mirror'",
        lambda: ref.pad(ones(*X1), 1, mode="mirror")),
    row("pad(L=3, padding=((0, 3),), mode='reflect')", "pad.reflect-size", "padding[0]=(0, 3)",
        lambda: ref.pad(ones(1, 1, 3), ((0, 3),), mode="reflect")),
    row("pad(W=2, padding=((0, 0), (3, 0)), mode='circular')", "pad.circular-size",
        "padding[1]=(3, 0)",
        lambda: ref.pad(ones(1, 1, 4, 2), ((0, 0), (3, 0)), mode="circular")),
    row("pad(padding=((-1, 0),))", "config.padding", "padding[0]=(-1, 0)",
        lambda: ref.pad(ones(*X1), ((-1, 0),))),
    row("pad(padding='middle')", "config.padding", "padding='middle'",
        lambda: ref.pad(ones(*X1), "middle")),
    row("pad(x.ndim=2)", "config.rank", "x.ndim=2",
        lambda: ref.pad(ones(1, 5), 1)),
    row("pad(mode=[])", "pad.modes", "padding_mode=[]",
        lambda: ref.pad(ones(*X1), 1, mode=[])),
    # -------------------------------------------------------------- formulas: sizes
    row("conv_out_size(4, 5)", "conv.kernel-fits", "dilated kernel=5",
        lambda: formulas.conv_out_size(4, 5)),
    row("conv_out_size(5, 3, stride=0)", "config.stride", "stride=0",
        lambda: formulas.conv_out_size(5, 3, stride=0)),
    row("conv_out_size(5, 3, dilation=-1)", "config.dilation", "dilation=-1",
        lambda: formulas.conv_out_size(5, 3, dilation=-1)),
    row("conv_out_size(5, 3, padding=(-1, 0))", "config.padding", "padding=(-1, 0)",
        lambda: formulas.conv_out_size(5, 3, padding=(-1, 0))),
    row("conv_out_size(5, 3, padding=(0, -1))", "config.padding", "padding=(0, -1)",
        lambda: formulas.conv_out_size(5, 3, padding=(0, -1))),
    row("conv_out_size(nan, 3)", "config.int", "i=nan",
        lambda: formulas.conv_out_size(float("nan"), 3)),
    row("conv_out_size(5, inf)", "config.int", "kernel=inf",
        lambda: formulas.conv_out_size(5, float("inf"))),
    row("conv_out_size(0, 1)", "config.nonempty", "i=0",
        lambda: formulas.conv_out_size(0, 1)),
    row("conv_out_size(5, 3, stride=True)", "config.int", "stride=True",
        lambda: formulas.conv_out_size(5, 3, stride=True)),
    row("conv_out_size(sympy.nan, 3)", "config.int", "i=nan",
        lambda: formulas.conv_out_size(sympy.nan, 3)),
    row("conv_out_size(sympy.Float(2.0), 1)", "config.int", "i=2.0",
        lambda: formulas.conv_out_size(sympy.Float(2.0), 1)),
    row("conv_out_size(k<0 symbol, 3)", "config.nonempty", "i=k, but should be >= 1",
        lambda: formulas.conv_out_size(NEG, 3)),
    row("conv_out_shape((5, 5), 3, stride=(1, 1, 1))", "config.rank", "stride=(1, 1, 1)",
        lambda: formulas.conv_out_shape((5, 5), 3, stride=(1, 1, 1))),
    row("pool_out_size(3, 5)", "pool.kernel-fits", "dilated kernel=5",
        lambda: formulas.pool_out_size(3, 5)),
    row("pool_out_size(5, 2, stride=0)", "config.stride", "stride=0",
        lambda: formulas.pool_out_size(5, 2, stride=0)),
    row("conv_transpose_out_size(3, 3, stride=2, output_padding=2)",
        "conv-transpose.output-padding", "output_padding=2",
        lambda: formulas.conv_transpose_out_size(3, 3, stride=2, output_padding=2)),
    row("conv_transpose_out_size(3, 3, output_padding=-1)", "conv-transpose.output-padding",
        "output_padding=-1",
        lambda: formulas.conv_transpose_out_size(3, 3, output_padding=-1)),
    row("conv_transpose_out_size(1, 1, padding=1)", "conv-transpose.out-size",
        "output size=-1",
        lambda: formulas.conv_transpose_out_size(1, 1, padding=1)),
    row("same_padding(0, 3)", "config.nonempty", "i=0",
        lambda: formulas.same_padding(0, 3)),
    row("same_padding(5, 3, stride=0)", "config.stride", "stride=0",
        lambda: formulas.same_padding(5, 3, stride=0)),
    row("same_padding(5, 0)", "config.kernel", "kernel=0",
        lambda: formulas.same_padding(5, 0)),
    row("same_padding(5, 3, mode='middle')", "config.padding", "mode='middle'",
        lambda: formulas.same_padding(5, 3, mode="middle")),
    row("effective_kernel(3, dilation=0)", "config.dilation", "dilation=0",
        lambda: formulas.effective_kernel(3, dilation=0)),
    row("full_padding(0)", "config.kernel", "kernel=0",
        lambda: formulas.full_padding(0)),
    # -------------------------------------------------------------- formulas: counts
    row("conv_params(8, 6, 3, groups=3)", "conv.groups", "groups=3 does not divide C_in=8",
        lambda: formulas.conv_params(8, 6, 3, groups=3)),
    row("conv_params(8, 6, 3, groups=4)", "conv.groups", "groups=4 does not divide C_out=6",
        lambda: formulas.conv_params(8, 6, 3, groups=4)),
    row("conv_params(8, 8, 3, groups=0)", "conv.groups", "groups=0",
        lambda: formulas.conv_params(8, 8, 3, groups=0)),
    row("conv_params(0, 8, 3)", "config.nonempty", "C_in=0",
        lambda: formulas.conv_params(0, 8, 3)),
    row("conv_params(3, 8, (3, 0))", "config.kernel", "kernel[1]=0",
        lambda: formulas.conv_params(3, 8, (3, 0))),
    row("conv_params(3, 8, 2.5)", "config.int", "kernel=2.5",
        lambda: formulas.conv_params(3, 8, 2.5)),
    row("conv_transpose_params(4, 6, 3, groups=4)", "conv-transpose.groups",
        "groups=4 does not divide C_out=6",
        lambda: formulas.conv_transpose_params(4, 6, 3, groups=4)),
    row("depthwise_separable_params(4, 8, 3, depth_multiplier=0)", "config.nonempty",
        "depth_multiplier=0",
        lambda: formulas.depthwise_separable_params(4, 8, 3, depth_multiplier=0)),
    row("dense_params(0, 3)", "config.nonempty", "n_in=0",
        lambda: formulas.dense_params(0, 3)),
    row("receptive_field_step(stride=0)", "config.stride", "stride=0",
        lambda: formulas.receptive_field_step(formulas.RF(1, 1, 0), 3, stride=0)),
]

#: The first line of every InvalidConfig message: name=value, then the relation it breaks
#: ("..., but should ..." or "... does not ..."), then the rule ID.
FIRST_LINE = re.compile(r"^[^=\s][^=]*=\S.*?(, but should | does not ).*\s\[(?P<rule>[^\]]+)\]$")


def _expected(rule: str, value: str) -> str:
    """Regex: the value and the rule ID both on the first line, the rule ID ending it."""
    return rf"\A[^\n]*{re.escape(value)}[^\n]*{re.escape(f'[{rule}]')}(\n|\Z)"


@pytest.mark.parametrize("call, rule, value", ROWS)
def test_rejects(call, rule, value):
    with pytest.raises(InvalidConfig, match=_expected(rule, value)) as info:
        call()
    assert info.value.rule == rule


@pytest.mark.parametrize("call, rule, value", ROWS)
def test_message_format(call, rule, value):
    with pytest.raises(InvalidConfig) as info:
        call()
    first = str(info.value).split("\n", 1)[0]
    m = FIRST_LINE.match(first)
    assert m, f"message={first!r}, but should read 'name=value, but should be ... [rule-id]'"
    assert RULE_ID_PATTERN.fullmatch(f"[{m['rule']}]"), f"rule ID {m['rule']!r} is malformed"
    assert m["rule"] == info.value.rule


def test_table_is_large_and_ids_are_unique():
    ids = [p.id for p in ROWS]
    assert len(ids) >= 45
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)


def test_invalid_config_is_a_value_error():
    assert issubclass(InvalidConfig, ValueError)
    with pytest.raises(ValueError, match=r"\[conv\.groups\]"):
        ref.conv(ones(1, 8, 5), ones(6, 2, 3), groups=3)


def test_rule_id_ends_the_first_line_and_detail_follows():
    e = InvalidConfig("groups=3 does not divide C_in=8", rule="conv.groups", detail="  x: ...")
    assert str(e) == "groups=3 does not divide C_in=8 [conv.groups]\n  x: ..."
    assert e.rule == "conv.groups"


@pytest.mark.parametrize("value", [np.array(2), np.int64(2), 2])
def test_integer_likes_are_accepted(value):
    """The other side of config.int: 0-d int arrays and NumPy ints count as ints."""
    y = ref.conv(ones(1, 1, 5), ones(1, 1, 1), stride=value, padding=np.array([[0, 0]]))
    assert y.shape == (1, 1, 3)  # floor((5 - 1) / 2) + 1 = 3
