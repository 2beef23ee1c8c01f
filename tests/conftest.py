"""Suite-wide test settings."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# The suite shares two cores with whatever else runs: hypothesis's per-example deadline and its
# "too slow" health check measure the machine's load, not the code, so neither applies here.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")
