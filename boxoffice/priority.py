"""CPU priority of this process's PostgreSQL backend, on one machine.

A process's PostgreSQL backend runs at PostgreSQL's own priority, not the process's: a
crowd's (or the Celery worker's) database work would compete with the staff's as equals.
So when Django opens a connection, its backend is given the process's niceness, its idle
scheduling class and its background cgroup (`cpu.idle` = 1, made by the local stack
runner, tooling.background, where the machine allows it). A process at normal priority,
the staff pool's, changes nothing. In production the pools run on their own hosts and
none of this applies.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

# The background cgroup's name; the stack runner makes it, this module only joins it.
NAME = "boxoffice-background"
CGROUP_ROOT = Path("/sys/fs/cgroup")


def cpu_cgroup(pid: int | str = "self") -> Path | None:
    """The directory of the cpu cgroup `pid` is in, if its controller is mounted where we look."""
    try:
        lines = Path(f"/proc/{pid}/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _id, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):  # cgroup v1: the cpu hierarchy
            for mount in (CGROUP_ROOT / controllers, CGROUP_ROOT / "cpu", CGROUP_ROOT / "cpu,cpuacct"):
                if (mount / "cpu.shares").exists():
                    return mount / path.lstrip("/")
        elif controllers == "" and (CGROUP_ROOT / "cgroup.controllers").exists():  # v2, unified
            here = CGROUP_ROOT / path.lstrip("/")
            with contextlib.suppress(OSError):
                if "cpu" in (here / "cgroup.subtree_control").read_text().split():
                    return here
    return None


def join(pid: int, group: Path | None) -> bool:
    """Move process `pid` (its threads, and the children it will have) into `group`."""
    if group is None:
        return False
    try:
        (group / "cgroup.procs").write_text(str(pid))
    except OSError:
        return False
    return True


def current() -> Path | None:
    """The background cgroup this process is in, or None."""
    here = cpu_cgroup()
    if here is None or here.name != NAME:
        return None
    return here


def lower_database_priority(sender, connection, **kwargs) -> None:
    """Give the backend of a new connection this process's CPU priority. (With PostgreSQL
    on its own host, or in a container whose process ids are not ours, this does nothing:
    the process of that id here must be a PostgreSQL backend, and the staff pool is
    protected by its own workers and connections.)"""
    if connection.vendor != "postgresql" or (
            os.getpriority(os.PRIO_PROCESS, 0) <= 0 and os.sched_getscheduler(0) != os.SCHED_IDLE):
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if not cmdline.read().startswith(b"postgres"):
                return  # that id is another process here: PostgreSQL runs elsewhere
        if os.sched_getscheduler(0) == os.SCHED_IDLE:
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        join(pid, current())
        os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, 0),
                                                 os.getpriority(os.PRIO_PROCESS, pid)))
    except Exception:  # noqa: BLE001 - another host or another user: leave it be
        return
