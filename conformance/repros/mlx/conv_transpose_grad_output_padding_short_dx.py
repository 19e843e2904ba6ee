"""MLX: the gradient of conv_transpose with respect to x is too short when stride > 1 and
output_padding > padding.

Rule conv-transpose.grad-input: dL/dx has x's shape; it is conv(dL/dy, w) over the uncropped
output (dL/dy placed after the p_before cropped cells, zeros around it).  The forward
``mx.conv_transpose1d`` is right on these cases (its output has the rule's size), but
``mx.vjp`` of it returns a dL/dx with fewer cells than x: x of 1 cell, w of 1 tap, stride 2,
output_padding 1 gives an empty dL/dx.  dL/dw is right.  A scan of 1-D cases (x of 1-4
cells, K 1-3, stride 1-3, padding <= dilation * (K - 1), valid output_padding) finds dL/dx
short in exactly the cases with stride > 1 and output_padding > padding, and right in all
others.

Run: python conformance/repros/mlx/conv_transpose_grad_output_padding_short_dx.py
"""

import mlx.core as mx
import numpy as np


def rule_dx(w, dy, n, s, p, op):
    """dL/dx[i] = sum_j w[j] * dyfull[i * s + j], dyfull = dy placed after p cropped cells."""
    dyfull = np.zeros((n - 1) * s + len(w) + op)
    dyfull[p:p + len(dy)] = dy
    return np.array([sum(w[j] * dyfull[i * s + j] for j in range(len(w))) for i in range(n)])


print("mlx", mx.__version__)
deviates = False
for x, w, s, p, op in [([3.0], [1.0], 2, 0, 1), ([1.0, 2.0, 3.0], [1.0, 10.0, 100.0], 2, 0, 1),
                       ([1.0, 2.0, 3.0], [1.0, 10.0, 100.0], 2, 1, 1)]:
    xa = mx.array(np.array(x, np.float32).reshape(1, -1, 1))                 # (N, W, C)
    wa = mx.array(np.array(w, np.float32).reshape(1, -1, 1))                 # (O, K, I)
    def f(a, b, s=s, p=p, op=op):
        return mx.conv_transpose1d(a, b, stride=s, padding=p, output_padding=op)
    y = f(xa, wa)
    dy = np.arange(1.0, y.shape[1] + 1)                                      # 1, 2, 3, ...
    _, (dx, dw) = mx.vjp(f, [xa, wa], [mx.array(dy.reshape(y.shape).astype(np.float32))])
    got, want = np.array(dx).ravel(), rule_dx(w, dy, len(x), s, p, op)
    print(f"x={x}, w={w}, stride={s}, padding={p}, output_padding={op}: y has {y.shape[1]} "
          f"cells, dy={dy.tolist()}")
    print("  mx.vjp dL/dx:", got.tolist())      # [] / [321.0, 543.0] / [210.0, 432.0, 654.0]
    print("  the rule:    ", want.tolist())     # [1.0] / [321.0, 543.0, 765.0] / the same
    deviates |= got.shape != want.shape or not np.array_equal(got, want)
print("deviation:", deviates)
