"""A small process supervisor for the local stack: each program runs in a process group
of its own; one that exits is restarted after a pause that grows while it keeps failing
(0.5 s, doubling up to 30 s, reset once it has run for a minute), and never takes the
others down. In production the same role is a process manager's (systemd units with
`Restart=always`; see the README)."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

STEADY_AFTER = 60.0  # a program that ran this long before exiting is restarted at once
MAX_PAUSE = 30.0
# How long a program that never served is given to stop: it has no request to finish, and
# a granian worker stopped as it starts never stops by itself.
STARTING_GRACE = 3.0


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


@dataclass
class Program:
    name: str
    start: Callable[[], subprocess.Popen]
    # How to tell it serves (an HTTP check); None: running is enough.
    ready: Callable[[], bool] | None = None
    what: str = ""  # what readiness waits for, in words
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0  # exits in a row, each soon after its start
    restart_at: float | None = None
    ever_ready: bool = False
    restarts: int = field(default=0)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


def http_ok(port: int, path: str = "/healthz", host: str = "127.0.0.1") -> Callable[[], bool]:
    def check() -> bool:
        conn = http.client.HTTPConnection(host, port, timeout=2)
        try:
            conn.request("GET", path, headers={"Host": "localhost"})
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()
    return check


def kill_group(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the whole process group `proc` leads (a server's workers with it)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


class Supervisor:
    def __init__(self, programs: list[Program]):
        self.programs = programs

    def start_all(self) -> None:
        for program in self.programs:
            self._start(program)

    def _start(self, program: Program) -> None:
        program.proc = program.start()
        program.started_at = time.monotonic()
        program.restart_at = None

    def tick(self, now: float | None = None) -> None:
        """Notice exits and restart what is due. Call it every fraction of a second."""
        now = time.monotonic() if now is None else now
        for program in self.programs:
            if program.restart_at is not None:
                if now >= program.restart_at:
                    program.restarts += 1
                    log(f"restarting {program.name}")
                    self._start(program)
                continue
            code = program.proc.poll() if program.proc is not None else None
            if code is None:
                continue
            # What the program left (a server's workers still bound to its port) goes first.
            kill_group(program.proc)
            ran = now - program.started_at
            program.failures = 1 if ran >= STEADY_AFTER else program.failures + 1
            pause = 0.0 if ran >= STEADY_AFTER else min(MAX_PAUSE, 0.5 * 2 ** (program.failures - 1))
            log(f"{program.name} exited ({describe(code)}) after {ran:.0f} s; restarting in {pause:.1f} s")
            program.restart_at = now + pause

    def wait_ready(self, *, gives_up_after: int = 3, say_every: float = 10.0) -> None:
        """Wait until every program that can say so serves, saying what it waits for.
        No fixed deadline: a busy machine only makes it slower. Gives up (SystemExit) only
        when a program has exited `gives_up_after` times without ever serving."""
        said = time.monotonic()
        waiting = [p for p in self.programs if p.ready is not None]
        while True:
            self.tick()
            for program in waiting:
                if not program.ever_ready and program.restart_at is None and program.ready():
                    program.ever_ready = True
            pending = [p for p in waiting if not p.ever_ready]
            if not pending:
                return
            for program in pending:
                if program.failures >= gives_up_after:
                    raise SystemExit(f"[stack] {program.name} exited {program.failures} times before "
                                     "it served; see its output above")
            if time.monotonic() - said >= say_every:
                said = time.monotonic()
                log("still waiting for " + ", ".join(p.what or p.name for p in pending))
            time.sleep(0.2)

    def stop_all(self, timeout: float = 20.0) -> None:
        """SIGTERM to every group; each program then has until `timeout` to finish what it
        serves, one that never served STARTING_GRACE, and whatever is left is killed."""
        for program in self.programs:
            if program.proc is not None:
                kill_group(program.proc, signal.SIGTERM)
        now = time.monotonic()
        deadline, starting = now + timeout, now + min(timeout, STARTING_GRACE)
        for program in self.programs:
            if program.proc is not None:
                until = starting if program.ready is not None and not program.ever_ready else deadline
                with contextlib.suppress(subprocess.TimeoutExpired):
                    program.proc.wait(timeout=max(0.1, until - time.monotonic()))
                kill_group(program.proc)  # whatever is left of the group


def describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


# --- who holds a port -------------------------------------------------------------------

def listening_sockets(port: int) -> set[str]:
    """The sockets listening on TCP `port` on this machine (several where servers share it,
    SO_REUSEPORT), as their file descriptors read (`socket:[inode]`), from /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{inode}]")
    return inodes


def port_holders(port: int) -> list[tuple[int, str]]:
    """The processes listening on TCP `port` on this machine: [(pid, command line)], read
    from /proc (empty where it cannot be read)."""
    inodes = listening_sockets(port)
    holders = []
    if not inodes:
        return holders
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in inodes:
                        cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                        holders.append((int(proc.name), cmdline.strip()))
                        break
    return sorted(holders)
