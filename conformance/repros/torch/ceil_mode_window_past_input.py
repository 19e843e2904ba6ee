"""PyTorch's ceil-mode pooling computes a window larger than the padded input.

Rule pool.kernel-fits: the (dilated) window must fit inside the padded input on every axis,
in ceil mode too; otherwise the call is refused.  PyTorch in ceil_mode accepts a first window
that hangs past the padded input by up to stride - 1 cells (the rule's text names this as a
framework convention, not the rule), so a kernel larger than the input computes one element.

Smallest cases (N=1, C=1, no padding, ceil_mode=True):
    x = [3], kernel 2, stride 2:              window [0, 2) on an input of 1 cell
    x = [1, 2, 3, 4], kernel 5, stride 4:     window [0, 5) on an input of 4 cells
    rule: both refused (2 > 1, 5 > 4)
"""

import numpy as np
import torch
import torch.nn.functional as F

print("torch", torch.__version__)
for x, k, s in ((np.array([3.0]), 2, 2), (np.array([1.0, 2.0, 3.0, 4.0]), 5, 4)):
    t = torch.from_numpy(x).reshape(1, 1, -1)
    for name, pool in (("max_pool1d", F.max_pool1d), ("avg_pool1d", F.avg_pool1d)):
        try:
            got = pool(t, k, s, ceil_mode=True).numpy().ravel()
        except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
            got = f"raised {type(e).__name__}: {e}"
        print(f"{name}(x={x.tolist()}, kernel={k}, stride={s}, ceil_mode=True): {got}")
    print(f"  rule: refused (kernel {k} > padded input {len(x)}) [pool.kernel-fits]")
    try:
        F.max_pool1d(t, k, s, ceil_mode=False)
    except RuntimeError as e:
        print(f"  (floor mode: torch refuses: {e})")
