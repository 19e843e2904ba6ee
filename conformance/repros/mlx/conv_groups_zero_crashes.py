"""MLX: groups=0 kills the process with SIGFPE (an integer division by zero) instead of
raising.

Rule conv.groups (and conv-transpose.groups): groups must be >= 1 and divide the channels;
groups=0 is refused.  ``mx.conv_general(..., groups=0)`` and ``mx.conv_transpose1d(...,
groups=0)`` end the Python process with signal 8.  The calls run in a child process here.

Run: python conformance/repros/mlx/conv_groups_zero_crashes.py
"""

import signal
import subprocess
import sys

import mlx.core as mx

CALLS = {
    "mx.conv_general": "mx.conv_general(mx.ones((1, 2, 2)), mx.ones((2, 1, 2)), groups=0)",
    "mx.conv_transpose1d": "mx.conv_transpose1d(mx.ones((1, 2, 2)), mx.ones((2, 1, 2)), groups=0)",
}

print("mlx", mx.__version__)
deviates = False
for name, call in CALLS.items():
    code = f"import mlx.core as mx\ntry:\n    mx.eval({call})\nexcept Exception as e:\n" \
           f"    print(type(e).__name__, e)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    died = run.returncode < 0
    what = f"killed by {signal.Signals(-run.returncode).name}" if died else run.stdout.strip()
    print(f"{name}(groups=0): {what}")
    deviates |= died
print("the rule: groups=0 raises an exception [conv.groups]")
print("deviation:", deviates)
