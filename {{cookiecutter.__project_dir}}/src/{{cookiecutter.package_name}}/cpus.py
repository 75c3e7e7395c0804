"""How many CPUs this process may use: its affinity, and the container's CPU quota."""

import math
import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def usable_cpus(cgroup: Path = CGROUP) -> int:
    """The CPUs the scheduler lets this process run on, capped by the cgroup's CPU quota.

    os.cpu_count() counts the host's CPUs: on a 32-core node, a container limited to one CPU
    would size for 32.
    """
    cpus = len(os.sched_getaffinity(0))
    quota = cpu_quota(cgroup)
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def cpu_quota(cgroup: Path = CGROUP) -> float | None:
    """CPUs' worth of time the cgroup may use (cgroup v2 `cpu.max`, or v1), or None if unlimited."""
    try:
        # cgroup v2: "<quota> <period>", or "max <period>".
        quota, period = (cgroup / "cpu.max").read_text().split()
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        # cgroup v1: a quota of -1 means none.
        quota_us = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None
