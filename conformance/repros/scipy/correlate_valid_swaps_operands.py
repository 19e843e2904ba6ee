"""scipy.signal.correlate in 'valid' mode computes when the kernel is larger than the input.

Rule conv.kernel-fits: the dilated kernel must fit the padded input, d*(k-1) + 1 <= i + p;
a kernel of 2 on an input of 1 is refused.  SciPy's 'valid' mode needs one operand at least
as large as the other in every dimension and swaps them when the second is the larger (its
documented behaviour), so it returns the correlation of the kernel with the input.

Smallest case: x = [3], w = [1, 10], no padding, stride 1.
    rule: refused (kernel 2 > input 1) [conv.kernel-fits]
"""

import numpy as np
import scipy
from scipy import signal

print("scipy", scipy.__version__)
x, w = np.array([3.0]), np.array([1.0, 10.0])
try:
    got = signal.correlate(x, w, mode="valid", method="direct")
except Exception as e:  # noqa: BLE001 - a refusal is what the rule asks for
    got = f"raised {type(e).__name__}: {e}"
print("signal.correlate([3], [1, 10], mode='valid'):", got)
print("rule: refused: kernel 2 > input 1 [conv.kernel-fits]")
