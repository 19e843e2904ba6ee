"""PyTorch takes a 1-entry tuple for a 2-D (or 3-D) parameter and repeats it on every axis.

Rule config.rank: stride, dilation, kernel and padding give one value per spatial axis; a
tuple with too few entries is refused.  PyTorch documents an int or a tuple of one value
per axis; a tuple of one entry is expanded like an int.

Smallest cases (x of shape (1, 1, 1, 1), two spatial axes):
    conv2d(x, w of shape (1, 1, 1, 1), stride=(1,))
    max_pool2d(x, kernel_size=(1,), stride=(1, 1))
    rule: both refused (1 entry for 2 axes)
"""

import torch
import torch.nn.functional as F

print("torch", torch.__version__)
x = torch.full((1, 1, 1, 1), 3.0, dtype=torch.float64)
calls = {"conv2d(x, w, stride=(1,))": lambda: F.conv2d(x, torch.ones_like(x), stride=(1,)),
         "max_pool2d(x, kernel_size=(1,), stride=(1, 1))":
             lambda: F.max_pool2d(x, kernel_size=(1,), stride=(1, 1)),
         "avg_pool2d(x, kernel_size=(1,), stride=(1, 1))":
             lambda: F.avg_pool2d(x, kernel_size=(1,), stride=(1, 1))}
for call, fn in calls.items():
    try:
        got = f"shape {tuple(fn().shape)}"
    except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
        got = f"raised {type(e).__name__}: {e}"
    print(f"{call}: {got}")
print("rule: each refused: a per-axis parameter with 1 entry for 2 spatial axes [config.rank]")
