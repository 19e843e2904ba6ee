"""Shared test configuration: the ``cites`` marker and Hypothesis profiles.

Profiles (select with HYPOTHESIS_PROFILE): ``ci`` (default, fixed budget, derandomized
for reproducible CI) and ``thorough`` (10x examples).

Thread pools: the tests alternate tiny NumPy and torch calls, whose idle OpenMP / BLAS
worker threads spin and fight on small machines (measured: torch 2-3x slower;
a torch_cpu catalog check measured 10 s with default threads, 3.3 s with one).  Each test
process runs single-threaded unless the caller set the variables; parallelism comes from
pytest-xdist processes (-n).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pytest_configure(config):
    for name in THREAD_VARIABLES:  # before NumPy's BLAS or torch start their pools
        os.environ.setdefault(name, "1")
    config.addinivalue_line("markers", "cites(*rule_ids): the spec rules a test checks")
    settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("thorough", max_examples=600, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
