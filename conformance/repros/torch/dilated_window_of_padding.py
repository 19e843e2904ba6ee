"""PyTorch's dilated max pooling returns -inf for a window whose taps all land in padding.

Rule pool.window-has-input: every window must have at least one tap on the input; a window
made only of padding has no defined value, and the call is refused.  PyTorch's padding limit
(at most kernel // 2 per side) keeps one input cell in every undilated window, but with
dilation the taps can step over the input.

Smallest case: x = [7] (N=1, C=1, L=1), kernel 2, dilation 2, padding 1 on both sides.
    padded input: [-inf, 7, -inf]; the one window taps padded positions 0 and 2
    rule: refused (window 0 has no tap on the input at position 1)
"""

import torch
import torch.nn.functional as F

print("torch", torch.__version__)
x = torch.tensor([[[7.0]]], dtype=torch.float64)
try:
    got = F.max_pool1d(x, kernel_size=2, stride=1, padding=1, dilation=2).numpy().ravel()
except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
    got = f"raised {type(e).__name__}: {e}"
print("max_pool1d(x=[7], kernel=2, stride=1, padding=1, dilation=2):", got)
print("rule: refused: window 0 taps padded positions [0, 2], the input is at [1, 2) "
      "[pool.window-has-input]")
