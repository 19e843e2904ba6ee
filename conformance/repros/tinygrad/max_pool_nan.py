"""tinygrad: max_pool2d does not propagate NaN; what it returns depends on where the NaN is
and on the generated kernel (the optimizer setting NOOPT).

Convention max_pool_nan (spec/conventions.md; rule pool.max-nan): the spec propagates NaN,
as PyTorch and NumPy's maximum do; 'ignore' and 'order-dependent' are the other named
values.  tinygrad's max is a comparison: the windows [nan, 1] and [2, nan] give different
answers, and the answer changes with NOOPT.  Each setting runs in a child process.

Run: DEV=CPU python conformance/repros/tinygrad/max_pool_nan.py
"""

import os
import subprocess
import sys
from importlib.metadata import version

code = """
import numpy as np
from tinygrad import Tensor, dtypes
x = Tensor(np.array([np.nan, 1.0, 2.0, np.nan]).reshape(1, 1, 4), dtype=dtypes.float64)
print(x.max_pool2d(kernel_size=(2,), stride=(2,)).numpy().ravel())
"""
print("tinygrad", version("tinygrad"))
deviates = False
for noopt in ("0", "1"):
    env = dict(os.environ, DEV=os.environ.get("DEV", "CPU"), NOOPT=noopt)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    got = run.stdout.strip() or run.stderr.strip()[-300:]
    print(f"NOOPT={noopt}: windows [nan, 1] and [2, nan] ->", got)
    deviates |= got != "[nan nan]"
print("the rule: [nan nan] (a NaN in a window makes its maximum NaN) [pool.max-nan]")
print("deviation:", deviates)
