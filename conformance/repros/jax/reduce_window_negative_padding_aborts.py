"""JAX: ``lax.reduce_window`` with a window of 1 and negative padding aborts the process.

Rule config.padding: negative padding is refused with an error.  ``lax.reduce_window``
takes negative padding (it crops: with a window of 2, padding (-1, 0) on [0, 1, 2, 3]
gives [2, 3]), but with a window of size 1 the CPU compiler hits an internal check
(``RET_CHECK failure ... ShapeUtil::Compatible``: the window-1 reduction is rewritten into
an elementwise op of the uncropped shape) and ends the interpreter with SIGABRT, so no
exception can be caught.  Each call runs in a child process; the parent prints how it ended.

Run: python conformance/repros/jax/reduce_window_negative_padding_aborts.py
"""

import signal
import subprocess
import sys

CHILD = """
import numpy as np
from jax import lax
x = np.arange(4.0, dtype=np.float32)                   # [0, 1, 2, 3]
y = lax.reduce_window(x, -np.inf, lax.max, ({k},), (1,), [(-1, 0)])  # padding (-1, 0)
print(np.asarray(y).tolist())
"""

import jax  # noqa: E402 - only for the version line

print("jax", jax.__version__)
for k, rule in ((2, "[2.0, 3.0] (crop, then max over 2)"), (1, "[1.0, 2.0, 3.0] (crop)")):
    r = subprocess.run([sys.executable, "-c", CHILD.format(k=k)], capture_output=True, text=True)
    check = next((ln for ln in r.stderr.splitlines() if "RET_CHECK" in ln), "")
    if r.returncode < 0:
        ended = f"killed by {signal.Signals(-r.returncode).name}; {check.strip()[:160]}"
    else:
        ended = f"exit {r.returncode}, printed {r.stdout.strip()}"
    print(f"window {k}, padding (-1, 0): child {ended}")
    print(f"  a crop would give {rule}; the rule (config.padding): an exception")
