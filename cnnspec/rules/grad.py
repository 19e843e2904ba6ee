"""Rules of the backward ops: what conv, conv_transpose and pooling send back to x, w and b.

The rules of conv's input and weight gradients (``conv.grad-input``, ``conv.grad-weight``)
are declared with the conv family (rules/conv.py); the rest are declared here, under their
ops' families, so that spec/conv.md, spec/conv-transpose.md and spec/pool.md list them.
Every rule holds for the gradients of L = sum(y * dy) with dy = dL/dy of the forward
output's shape, which is what the contract's backward ops return (docs/contract.md).
Their checks live in :mod:`cnnspec.rules.grad_checks`.
"""

from math import nan

from . import _sources as S
from . import call_example, rule

GOODFELLOW_BACKPROP = ("Goodfellow, Bengio & Courville, 'Deep Learning', MIT Press 2016, "
                       "chapter 9.5 (the gradients of a convolution with respect to the kernel "
                       "and the input), chapter 6.5 (back-propagation)")
TORCH_AUTOGRAD = ("PyTorch docs: torch.autograd.backward and Tensor.backward (the gradient "
                  "argument is dL/dy of y's shape; it computes the vector-Jacobian product)")
TORCH_MAXPOOL_INDICES = ("PyTorch docs: torch.nn.MaxPool2d (return_indices; "
                         "torch.nn.MaxUnpool2d scatters values back to those indices)")
JAX_VJP = "JAX docs: jax.vjp and jax.lax.reduce_window (the gradient of a windowed max)"
TF_MAXPOOL = "TensorFlow docs: tf.nn.max_pool2d and tf.GradientTape"

# ---------------------------------------------------------------- the call

rule("config.grad-shape", "A backward op takes dy of y's shape and returns x's, w's, b's",
     """A backward op takes its forward op's arguments plus dy = dL/dy, which has the shape of
     the forward output y (the forward op's size rule gives it). It returns the gradients of
     L = sum(y * dy): dx of x's shape for pooling; (dx, dw, db) of the shapes of x, w and b for
     conv and conv_transpose, db None exactly when b is None. A dy of any other shape is an
     invalid call, refused like every invalid configuration: broadcasting it would compute the
     gradient of another loss.""",
     ops=("conv_backward", "conv_transpose_backward", "max_pool_backward", "avg_pool_backward"),
     formula="dy.shape == y.shape;  dx.shape == x.shape, dw.shape == w.shape, db.shape == b.shape",
     examples=(call_example("conv_backward", x=[1, 2, 3, 4, 5], w=[1, 1, 1], dy=[1, 1, 1],
                            dx=[1, 2, 3, 2, 1], dw=[6, 9, 12],
                            why="y has 5 - 3 + 1 = 3 cells, so dy has 3; dx has x's 5 cells "
                                "(how many windows hold each), dw w's 3 (window sums)"),
               call_example("conv_backward", x=[1, 2, 3, 4, 5], w=[1, 1, 1],
                            dy=[1, 2, 3, 4, 5], refused=True,
                            why="dy of x's shape (1, 1, 5), but y is (1, 1, 3)")),
     sources=(TORCH_AUTOGRAD, GOODFELLOW_BACKPROP),
     see_also=("conv.grad-input", "pool.max-grad"))

# ---------------------------------------------------------------- conv

rule("conv.grad-bias", "The bias gradient sums dL/dy over the batch and every position",
     """Each bias b[o] is added to every output of channel o, so dL/db[o] is dL/dy summed over
     the batch and all positions of channel o. It does not depend on x, w, stride, padding,
     dilation or groups.""",
     ops=("conv_backward",), formula="dL/db[o] = sum_{n, *p} dL/dy[n, o, *p]",
     examples=(call_example("conv_backward", x=[[[5, 6]], [[7, 8]]], w=[[[2]]], b=[100],
                            dy=[[[1, 2]], [[3, 4]]], channels=True, db=[10],
                            why="one channel, batch of 2: 1 + 2 + 3 + 4"),),
     sources=(GOODFELLOW_BACKPROP, S.TORCH_CONV), see_also=("conv.grad-weight",))

# ---------------------------------------------------------------- conv_transpose

rule("conv-transpose.grad-input", "The input gradient of a transposed convolution is a convolution",
     """conv_transpose is the adjoint of conv, so backpropagating dL/dy through
     y = conv_transpose(x, w, b) gives dL/dx = conv(dL/dy, w) with the same stride, padding,
     dilation and groups: each input cell collects dL/dy over the cells its scaled kernel was
     added to. conv_transpose's w (C_in, C_out/groups, *K) is already conv's layout for a
     conv from C_out to C_in channels. Where output_padding >= stride (allowed when dilation
     > stride) that conv yields more than the S input cells; the first S are dL/dx.""",
     ops=("conv_transpose_backward",),
     formula="dL/dx[n, g*Cg + c, *p] = sum_{o, *t} dL/dy[n, g*Og + o, *(p*s + t*d - p_before)] * w[g*Cg + c, o, *t]",
     examples=(call_example("conv_transpose_backward", x=[3, 4], w=[1, 2], dy=[10, 20, 30],
                            dx=[50, 80],
                            why="y = [x0, 2*x0 + x1, 2*x1]: x0 gets 10 + 2*20, x1 gets 20 + 2*30 "
                                "= conv(dL/dy, w)"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT, GOODFELLOW_BACKPROP),
     see_also=("conv.grad-input", "conv-transpose.def"))
rule("conv-transpose.grad-weight", "The weight gradient of a transposed convolution correlates dL/dy with x",
     """dL/dw[c, o, t] sums, over the batch and every input position p, x[n, c, p] times the
     gradient of the output cell that tap t of p's kernel copy landed on: p*s + t*d in the
     uncropped output, p*s + t*d - p_before after the crop. It is conv's weight gradient with
     x and dL/dy exchanged (the weight gradient of the conv from dL/dy to x).""",
     ops=("conv_transpose_backward",),
     formula="dL/dw[g*Cg + c, o, *t] = sum_{n, *p} x[n, g*Cg + c, *p] * dL/dy[n, g*Og + o, *(p*s + t*d - p_before)]",
     examples=(call_example("conv_transpose_backward", x=[1, 2], w=[5, 6], dy=[10, 20, 30],
                            dw=[50, 80], why="t=0: 1*10 + 2*20; t=1: 1*20 + 2*30"),),
     sources=(S.DUMOULIN, S.TORCH_CONVT, GOODFELLOW_BACKPROP),
     see_also=("conv.grad-weight",))
rule("conv-transpose.grad-bias", "The bias gradient of a transposed convolution sums dL/dy",
     """As for conv: dL/db[o] is dL/dy summed over the batch and all positions of output
     channel o, whatever the stride, padding, output_padding, dilation and groups.""",
     ops=("conv_transpose_backward",), formula="dL/db[o] = sum_{n, *p} dL/dy[n, o, *p]",
     examples=(call_example("conv_transpose_backward", x=[1, 2], w=[5, 6], b=[7],
                            dy=[10, 20, 30], db=[60], why="10 + 20 + 30"),),
     sources=(S.TORCH_CONVT, GOODFELLOW_BACKPROP), see_also=("conv.grad-bias",))

# ---------------------------------------------------------------- pooling

rule("pool.max-grad", "Max pooling sends each dL/dy to its window's first maximum",
     """Backpropagating through y = max_pool(x) routes each dL/dy[n, c, p] to one cell of
     window p: the first input cell, in window order (kernel offsets row-major), that holds the
     window's maximum. Ties send nothing to the later maxima. Overlapping windows (stride <
     kernel) add up on a cell that is the chosen maximum of several. Padding (-infinity) and
     the ceil_mode overhang never receive a gradient; every other cell receives 0. A window
     holding NaN has the maximum NaN [pool.max-nan] and sends its gradient to a NaN cell (with
     several NaN in one window, which one is left open). Who agrees: PyTorch, JAX and
     TensorFlow all send a tie to the first maximum (observed with torch 2.13, JAX 0.10 and
     TensorFlow 2.21 on CPU); with NaN, PyTorch sends it to the NaN (the last one where there are
     several), JAX to a number of the window (its comparison fails on NaN), and TensorFlow's
     max pooling skips NaN altogether (the convention max_pool_nan = ignore). tinygrad 0.14 and
     MLX 0.32 share a tie's gradient equally among the tied maxima (also a subgradient, but not
     this rule: conformance/findings.md). ONNX defines no gradient operators.""",
     ops=("max_pool_backward",),
     formula="dL/dx[n, c, *q] = sum_{p : q = first argmax of window p} dL/dy[n, c, *p]",
     examples=(call_example("max_pool_backward", x=[1, 3, 3, 2, 3], kernel=3, stride=2,
                            dy=[10, 20], dx=[0, 10, 20, 0, 0],
                            why="window [1, 3, 3] ties: its first 3 (x1) gets 10; window "
                                "[3, 2, 3]: x2 gets 20"),
               call_example("max_pool_backward", x=[1, 5, 2], kernel=2, stride=1, dy=[10, 20],
                            dx=[0, 30, 0],
                            why="both windows choose x1: overlapping windows add up"),
               call_example("max_pool_backward", x=[1, nan, 2, 3], kernel=2, stride=2,
                            dy=[10, 20], dx=[0, 10, 0, 20],
                            why="the window [1, nan] has the maximum nan: its NaN cell gets 10; "
                                "window [2, 3]: x3 gets 20")),
     sources=(TORCH_MAXPOOL_INDICES, JAX_VJP, TF_MAXPOOL, S.TORCH_POOL, GOODFELLOW_BACKPROP),
     see_also=("pool.max-def", "pool.max-nan", "pool.max-indices"))
rule("pool.avg-grad", "Average pooling spreads dL/dy over its window by the forward divisor",
     """Backpropagating through y = avg_pool(x) gives every input cell of window p the share
     dL/dy[n, c, p] / D[p], with D[p] exactly the forward divisor [pool.avg-divisor]: padding
     cells counted when count_include_pad, the ceil_mode overhang never. Overlapping windows
     add up; padding cells receive nothing (their shares are dropped, not moved to the input),
     so dL/dx of a window that overlaps padding sums to less than dL/dy when padding is
     counted.""",
     ops=("avg_pool_backward",),
     formula="dL/dx[n, c, *q] = sum_{p : q in window p} dL/dy[n, c, *p] / D[p]",
     examples=(call_example("avg_pool_backward", x=[1, 2, 3], kernel=2, stride=1, padding=(1, 0),
                            count_include_pad=True, dy=[2, 4, 6], dx=[3, 5, 3],
                            why="D = 2 everywhere: x0 gets 2/2 + 4/2, x1 4/2 + 6/2, x2 6/2; the "
                                "padding cell's 2/2 is dropped"),
               call_example("avg_pool_backward", x=[1, 2, 3], kernel=2, stride=1, padding=(1, 0),
                            count_include_pad=False, dy=[2, 4, 6], dx=[4, 5, 3],
                            why="the first window [pad, x0] counts one cell, D = 1: x0 gets "
                                "2/1 + 4/2")),
     sources=(S.TORCH_POOL, S.ONNX_POOL, GOODFELLOW_BACKPROP),
     see_also=("pool.avg-def", "pool.avg-divisor"))

