"""Background CPU: the processes that must yield to the staff (the public pool under a
crowd, the Celery worker, a benchmark's simulated crowd) run, where this machine lets us,
in a cpu cgroup marked idle (`cpu.idle` = 1), `boxoffice-background`, beside our own.
This module makes and removes that cgroup; joining it, which the application does for its
PostgreSQL backends, is boxoffice.priority's.

Why a cgroup and not only the idle scheduling class: Linux first shares the CPU between
groups (a session's autogroup, a cgroup) and only then between the tasks of a group, and a
task's idle class counts only inside its own group. A staff request waking while two
busy crowd processes of other sessions hold both cores waited for their slice to end at
each of its ~60 wake-ups (counter sale p50 31 -> 35 ms, p99 44 -> 53 ms, against two
idle-class CPU burners in their own sessions); against the same burners in an idle
cgroup it took the core at once (p50 24 ms, p99 32 ms: busy cores also wake faster).

Only root may make cgroups, and only with the cpu controller in reach (cgroup v1's
`cpu` hierarchy; on v2, only where our cgroup delegates `cpu` to children, which in
practice means the root cgroup); elsewhere these functions do nothing and the idle class
and niceness set by the caller are what remain. In production
the pools run on their own hosts or containers and none of this is needed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from boxoffice.priority import NAME, cpu_cgroup, join

__all__ = ("NAME", "idle_cgroup", "join", "remove")


def idle_cgroup() -> Path | None:
    """Our background cgroup, made (with cpu.idle = 1) if it is not there yet; None if
    this machine does not let us."""
    here = cpu_cgroup()
    if here is None:
        return None
    group = here if here.name == NAME else here / NAME
    try:
        group.mkdir(exist_ok=True)
    except OSError:
        return None
    try:
        (group / "cpu.idle").write_text("1")
    except OSError:  # a kernel before 5.15 has no cpu.idle: no use for the group
        with contextlib.suppress(OSError):
            group.rmdir()
        return None
    return group


def remove() -> None:
    """Remove the background cgroup once nothing is left in it (it stays while busy)."""
    here = cpu_cgroup()
    if here is not None:
        with contextlib.suppress(OSError):
            (here / NAME).rmdir()
