"""scipy.ndimage.maximum_filter keeps or skips a NaN depending on where it sits in the window.

Rule pool.max-nan: a window holding a NaN gives NaN.  ndimage's comparison-based maximum
keeps a NaN only while it is the running maximum, so the answer depends on its position
(spec/conventions.md, max_pool_nan: order-dependent).  The scipy target declares max
pooling of an input with NaN unsupported for this reason.

Smallest case: kernel 2, stride 1, -inf outside the input (ndimage centres a window of 2
at index 1, so output j covers x[j-1], x[j]).
    x = [1, nan, 3, 0]:  rule [1, nan, nan, 3] (windows [-inf,1], [1,nan], [nan,3], [3,0])
    x = [nan, 1, 3, 0]:  rule [nan, nan, 3, 3]
"""

import numpy as np
import scipy
from scipy import ndimage

print("scipy", scipy.__version__)
for x in ([1.0, np.nan, 3.0, 0.0], [np.nan, 1.0, 3.0, 0.0]):
    a = np.array(x)
    got = ndimage.maximum_filter(a, size=2, mode="constant", cval=-np.inf)
    padded = np.concatenate([[-np.inf], a])
    rule = [np.nan if np.isnan(padded[j:j + 2]).any() else padded[j:j + 2].max()
            for j in range(len(a))]
    print(f"maximum_filter({x}, size=2): {got}   rule: {np.array(rule)} [pool.max-nan]")
