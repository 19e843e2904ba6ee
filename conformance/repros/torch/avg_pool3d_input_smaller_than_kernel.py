"""PyTorch's avg_pool3d refuses an input side smaller than the kernel even where the padding
makes the window fit; avg_pool1d and avg_pool2d compute the same configuration.

Rule pool.kernel-fits: the window must fit the *padded* input, d*(k-1) + 1 <= i + p_b + p_a;
kernel 3 on a side of 2 with padding 1 on both sides fits (3 <= 4), so the call is valid.

Smallest case: x = ones of shape (1, 1, 2, 3, 3), kernel 3, stride 1, padding 1,
count_include_pad=True.  The same axis in 2-D: x = ones of shape (1, 1, 2, 3).
    rule (count_include_pad=True): every window sums its cells (padding zeros counted) / 27;
    e.g. the centre output of the first depth slice = 2*3*3 input cells / 27 = 0.666...
"""

import torch
import torch.nn.functional as F

print("torch", torch.__version__)
x3 = torch.ones(1, 1, 2, 3, 3, dtype=torch.float64)
x2 = torch.ones(1, 1, 2, 3, dtype=torch.float64)
for name, fn in (("avg_pool2d(x (1, 1, 2, 3), 3, 1, padding=1)", lambda: F.avg_pool2d(x2, 3, 1, 1)),
                 ("avg_pool3d(x (1, 1, 2, 3, 3), 3, 1, padding=1)", lambda: F.avg_pool3d(x3, 3, 1, 1))):
    try:
        y = fn()
        got = f"shape {tuple(y.shape)}, centre of slice 0 = {y[(0, 0, 0, 1, 1)[:y.ndim]].item():.4f}"
    except Exception as e:  # noqa: BLE001 - the deviation is this exception
        got = f"raised {type(e).__name__}: {e}"
    print(f"{name}: {got}")
print("rule: both valid (3 <= 2 + 1 + 1) [pool.kernel-fits]; the 3-D centre of slice 0 = 18/27 = 0.6667")
