"""MLX: conv_transpose with a kernel axis of size 0 ends the process (exit code 0, after a
BLAS message) instead of raising.

Rule config.nonempty: an empty kernel axis is invalid and refused.
``mx.conv_transpose2d`` with a weight of shape (1, 0, 1, 1) prints "On entry to SGEMM
parameter number 8 had an illegal value" and the process exits at once with status 0: the
code after the call never runs.  The call runs in a child process here.

Run: python conformance/repros/mlx/conv_transpose_empty_kernel_exits.py
"""

import subprocess
import sys

import mlx.core as mx

code = """
import mlx.core as mx
try:
    y = mx.conv_transpose2d(mx.ones((1, 1, 1, 1)), mx.ones((1, 0, 1, 1)))  # w: (C_out, KH=0, KW, C_in)
    mx.eval(y)
    print("returned", y.shape)
except Exception as e:
    print("raised", type(e).__name__, e)
print("after the call")
"""
run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
print("mlx", mx.__version__)
print("child exit status:", run.returncode)
print("child stdout:", repr(run.stdout))
print("child stderr:", repr(run.stderr.strip()))
print("the rule: the call raises, and the code after it runs [config.nonempty]")
print("deviation:", "after the call" not in run.stdout)
