"""PyTorch takes a bool as an int in a size tuple, except in the first entry.

Rule config.int (strict level): a size parameter is an int, not a bool or a float; True is
refused.  PyTorch's argument parser refuses stride=(True,) but takes stride=(1, True) as
(1, 1).

Smallest case: conv2d on x of shape (1, 1, 1, 1), w of shape (1, 1, 1, 1), stride=(1, True);
for comparison conv1d with stride=(True,).
    rule: both refused (stride[i]=True is a bool)
"""

import torch
import torch.nn.functional as F

print("torch", torch.__version__)
x2 = torch.full((1, 1, 1, 1), 3.0, dtype=torch.float64)
x1 = x2[0]
calls = {"conv2d(x, w, stride=(1, True))": lambda: F.conv2d(x2, torch.ones_like(x2), stride=(1, True)),
         "conv2d(x, w, stride=(True, 1))": lambda: F.conv2d(x2, torch.ones_like(x2), stride=(True, 1)),
         "conv1d(x, w, stride=(True,))": lambda: F.conv1d(x1[None], torch.ones_like(x1)[None], stride=(True,))}
for call, fn in calls.items():
    try:
        got = f"computed, shape {tuple(fn().shape)}"
    except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
        got = f"raised {type(e).__name__}: {str(e).splitlines()[0]}"
    print(f"{call}: {got}")
print("rule: each refused: a size parameter is not an int [config.int]")
