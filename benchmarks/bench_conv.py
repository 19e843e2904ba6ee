"""Reference conv (``cnnspec.ref.conv``) against torch CPU (``torch.nn.functional.conv2d``).

    python benchmarks/bench_conv.py [--threads N] [--repeat R] [--quick] [--dtype float64]
                                    [--only depthwise]

One process, one run: for every shape and dtype the two implementations are timed
alternately (ref, torch, ref, torch, ...) after one warm-up call each, and the medians are
compared as ``ratio = torch_time / ref_time`` (>= 1.0: the reference is at least as fast).
Before timing, each shape is checked: the inputs are integer-valued (ints in [-3, 3] stored
as floats), so every correct result is exact in float32 and float64 (all partial sums stay
below 2**24) and the two outputs must be equal; the max abs diff is printed and a nonzero
one stops the run, so the benchmark never times a wrong answer.

Peak extra memory of the reference is the tracemalloc peak during one call minus the memory
traced before it (NumPy reports its array buffers to tracemalloc; the output is included),
printed in MiB and as a multiple of the input's size.  ``--quick`` runs every case at batch 1
with 3 repeats: a smoke test whose ratios are not the targets' (fixed costs dominate).

Threads: by default everything runs on ONE thread.  On a 2-core machine NumPy's (OpenBLAS)
and torch's (OpenMP) worker pools, used alternately in one process, spin and fight each
other (torch measured 2-3x slower, measured on a 2-core machine), so single-threaded numbers
are the stable ones.  ``--threads N`` sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and
MKL_NUM_THREADS to N in the environment BEFORE numpy and torch are imported (the only time
the BLAS pools read them) and calls ``torch.set_num_threads(N)``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

#: float64: ref at least as fast as torch; float32: ref within 2.5x of torch.
TARGETS = {"float64": 1.0, "float32": 0.4}


@dataclass(frozen=True)
class Case:
    """One benchmarked layer: x (N, C_in, H, W), w (C_out, C_in/groups, kh, kw)."""

    name: str
    x: tuple[int, int, int, int]
    w: tuple[int, int, int, int]
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1

    def batch(self, n: int) -> Case:
        return Case(self.name, (n, *self.x[1:]), self.w, self.stride, self.padding,
                    self.dilation, self.groups)


CASES = [
    Case("stem 7x7 s2", (1, 3, 224, 224), (64, 3, 7, 7), stride=2, padding=3),
    Case("3x3 64ch 56x56", (8, 64, 56, 56), (64, 64, 3, 3), padding=1),
    Case("3x3 256ch 14x14", (8, 256, 14, 14), (256, 256, 3, 3), padding=1),
    Case("1x1 256->1024 14x14", (8, 256, 14, 14), (1024, 256, 1, 1)),
    Case("depthwise 3x3 128ch 56x56", (8, 128, 56, 56), (128, 1, 3, 3), padding=1, groups=128),
    Case("3x3 64ch 56x56 dil2", (8, 64, 56, 56), (64, 64, 3, 3), padding=2, dilation=2),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=1,
                   help="threads for torch and the BLAS pools (default 1, see the docstring)")
    p.add_argument("--repeat", type=int, default=None,
                   help="timed calls per implementation (default 7; 3 with --quick)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: batch 1 and 3 repeats (not the recorded numbers)")
    p.add_argument("--dtype", choices=("float64", "float32", "both"), default="both")
    p.add_argument("--only", default="", help="run only the cases whose name contains this")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for var in THREAD_VARS:  # must precede the first numpy / torch import
        os.environ[var] = str(args.threads)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's cnnspec
    import numpy as np
    import torch
    import torch.nn.functional as F

    from cnnspec import ref

    torch.set_num_threads(args.threads)
    repeat = args.repeat or (3 if args.quick else 7)
    dtypes = ("float64", "float32") if args.dtype == "both" else (args.dtype,)
    cases = [c.batch(1) if args.quick else c for c in CASES if args.only in c.name]

    print(f"numpy {np.__version__}, torch {torch.__version__}, threads={args.threads}, "
          f"repeat={repeat}, cpus={os.cpu_count()}, load average {load()}")
    header = (f"{'case':<26} {'dtype':<7} {'ref ms':>9} {'torch ms':>9} {'ratio':>6} "
              f"{'target':>7} {'peak MiB':>9} {'xinput':>6} {'maxdiff':>7}")
    print(header)
    print("-" * len(header))
    missed = 0
    rng = np.random.default_rng(0)
    for case in cases:
        x64 = rng.integers(-3, 4, case.x).astype(np.float64)  # (N, C_in, H, W)
        w64 = rng.integers(-3, 4, case.w).astype(np.float64)  # (C_out, C_in/groups, kh, kw)
        for dt in dtypes:
            x, w = x64.astype(dt), w64.astype(dt)
            xt, wt = torch.from_numpy(x), torch.from_numpy(w)
            kw: dict[str, Any] = dict(stride=case.stride, padding=case.padding,
                                      dilation=case.dilation, groups=case.groups)

            def run_ref(x: Any = x, w: Any = w, kw: Any = kw, dt: str = dt) -> Any:
                return ref.conv(x, w, None, dtype=getattr(np, dt), **kw)

            def run_torch(xt: Any = xt, wt: Any = wt, kw: Any = kw) -> Any:
                return F.conv2d(xt, wt, None, **kw)

            y_ref, y_t = run_ref(), run_torch().numpy()  # also the warm-up calls
            diff = float(np.max(np.abs(y_ref - y_t))) if y_ref.shape == y_t.shape else np.inf
            if y_ref.dtype != np.dtype(dt) or diff != 0.0:
                print(f"{case.name} {dt}: ref and torch disagree on integer-valued data: "
                      f"shapes {y_ref.shape} / {y_t.shape}, dtype {y_ref.dtype}, "
                      f"max abs diff {diff}", file=sys.stderr)
                return 2
            del y_ref, y_t
            peak = peak_bytes(run_ref, tracemalloc)
            t_ref, t_torch = interleaved(run_ref, run_torch, repeat, time.perf_counter)
            ratio = t_torch / t_ref
            met = ratio >= TARGETS[dt] or args.quick  # the targets are for the full sizes
            missed += not met
            print(f"{case.name:<26} {dt:<7} {t_ref * 1e3:9.2f} {t_torch * 1e3:9.2f} "
                  f"{ratio:6.2f} {'>=' + str(TARGETS[dt]) + ('' if met else '!'):>7} "
                  f"{peak / 2**20:9.1f} {peak / x.nbytes:6.1f} {diff:7.0g}")
    verdict = ("--quick: batch 1, targets not judged" if args.quick
               else f"'!' marks a missed target ({missed} missed)")
    print(f"\nratio = torch median / ref median; {verdict}; load average now {load()} "
          f"(other processes on the machine skew both columns)")
    return 0


def load() -> str:
    """The 1-minute load average, where the OS reports one."""
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def peak_bytes(fn: Any, tracemalloc: Any) -> int:
    """Extra memory (bytes) traced at the peak of one call to fn, output included."""
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return int(peak - base)


def interleaved(f: Any, g: Any, repeat: int, clock: Any) -> tuple[float, float]:
    """Median seconds of f and of g, timed alternately so that drifts hit both alike."""
    tf, tg = [], []
    for i in range(repeat):
        for fn, ts in ((f, tf), (g, tg)) if i % 2 == 0 else ((g, tg), (f, tf)):
            t0 = clock()
            fn()
            ts.append(clock() - t0)
    return statistics.median(tf), statistics.median(tg)


if __name__ == "__main__":
    sys.exit(main())
