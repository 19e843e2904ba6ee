"""Shared test configuration: the ``cites`` marker and Hypothesis profiles.

Profiles (select with HYPOTHESIS_PROFILE): ``ci`` (default, fixed budget, derandomized
for reproducible CI) and ``thorough`` (10x examples).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


def pytest_configure(config):
    config.addinivalue_line("markers", "cites(*rule_ids): the spec rules a test checks")
    settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("thorough", max_examples=600, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
