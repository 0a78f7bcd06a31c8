"""The local stack runner: supervised processes, readiness, ports, Ctrl-C. Real
processes, killed for real."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings

from tooling import stack, supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(300)"]


def program(name, cmd, **kw) -> supervisor.Program:
    return supervisor.Program(name, lambda: subprocess.Popen(cmd, start_new_session=True), **kw)


def tick_until(box, check, seconds=15):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline
        box.tick()
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_process_that_dies_is_restarted_and_the_others_never_stop():
    box = supervisor.Supervisor([program("a", SLEEPER), program("b", SLEEPER)])
    box.start_all()
    try:
        a, b = box.programs
        first, other = a.pid, b.pid
        os.kill(first, signal.SIGKILL)
        tick_until(box, lambda: a.pid != first and a.proc.poll() is None)
        assert a.restarts == 1 and b.pid == other and b.proc.poll() is None
    finally:
        box.stop_all(timeout=5)
    assert all(p.proc.poll() is not None for p in box.programs)


def test_a_process_that_keeps_failing_waits_longer_each_time():
    box = supervisor.Supervisor([program("failing", [sys.executable, "-c", "raise SystemExit(3)"])])
    box.start_all()
    pauses = []
    try:
        deadline = time.monotonic() + 10
        while len(pauses) < 3 and time.monotonic() < deadline:
            before = box.programs[0].restart_at
            box.tick()
            after = box.programs[0].restart_at
            if after is not None and after != before:
                pauses.append(after - time.monotonic())
            time.sleep(0.02)
    finally:
        box.stop_all(timeout=5)
    assert len(pauses) == 3 and pauses[0] < pauses[1] < pauses[2], pauses


def test_readiness_waits_for_a_slow_server_however_long_and_gives_up_only_when_it_keeps_dying():
    port = free_port()
    slow = [sys.executable, "-c", f"import time, http.server; time.sleep(2); http.server.HTTPServer("
            f"('127.0.0.1', {port}), type('H', (http.server.BaseHTTPRequestHandler,), {{'do_GET': lambda s: "
            f"(s.send_response(200), s.end_headers())}})).serve_forever()"]
    box = supervisor.Supervisor([program("slow", slow, ready=supervisor.http_ok(port))])
    box.start_all()
    started = time.monotonic()
    try:
        box.wait_ready()
        assert time.monotonic() - started >= 2
    finally:
        box.stop_all(timeout=5)

    dying = supervisor.Supervisor([program("dying", [sys.executable, "-c", "raise SystemExit(1)"],
                                           ready=supervisor.http_ok(free_port()))])
    dying.start_all()
    try:
        with pytest.raises(SystemExit, match="dying exited 3 times before it served"):
            dying.wait_ready()
    finally:
        dying.stop_all(timeout=5)


def test_a_program_still_starting_is_not_waited_on_for_the_whole_grace_of_a_stop():
    """A server stopped before it ever served has nothing to finish (and a granian worker
    stopped as it starts never stops by itself): it is killed after a short grace, not
    after the time a serving one is given to finish its requests, which it still gets."""
    port = free_port()
    deaf = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('deaf', flush=True); "
            "{then}")
    serve = (f"import http.server; http.server.HTTPServer(('127.0.0.1', {port}), type('H', "
             "(http.server.BaseHTTPRequestHandler,), {'do_GET': lambda s: (s.send_response(200), s.end_headers())}))"
             ".serve_forever()")

    def started(then, ready):
        def start():
            return subprocess.Popen([sys.executable, "-c", deaf.format(then=then)], start_new_session=True,
                                    stdout=subprocess.PIPE, text=True)

        box = supervisor.Supervisor([supervisor.Program("deaf", start, ready=ready)])
        box.start_all()
        assert box.programs[0].proc.stdout.readline() == "deaf\n"  # SIGTERM ignored from here
        return box

    starting = started("time.sleep(300)", supervisor.http_ok(free_port()))
    stopping = time.monotonic()
    starting.stop_all(timeout=60)
    assert time.monotonic() - stopping < supervisor.STARTING_GRACE + 10
    assert starting.programs[0].proc.wait(timeout=5) == -signal.SIGKILL

    serving = started(serve, supervisor.http_ok(port))
    serving.wait_ready()
    stopping = time.monotonic()
    serving.stop_all(timeout=supervisor.STARTING_GRACE + 3)
    assert time.monotonic() - stopping >= supervisor.STARTING_GRACE + 2  # its whole grace, not a starter's
    assert serving.programs[0].proc.wait(timeout=5) == -signal.SIGKILL


def test_granian_replaces_a_killed_worker_and_keeps_serving():
    """Each granian worker opens its own listening socket on the port (SO_REUSEPORT) once
    it has loaded the application, and the kernel spreads new connections over those
    sockets: a worker takes requests from then on, and while one is away the others take
    them all. A worker process that exists is not yet one that serves, so the test waits
    for the sockets. No request warms the workers first: the one left answers the moment
    it is alone, its first request included (boxoffice.wsgi loads the URLs beforehand)."""
    port = free_port()
    server = subprocess.Popen(stack.granian(port, workers=2, threads=1), cwd=settings.BASE_DIR,
                              env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
                              start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def workers():
            out = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout
            return {int(pid) for pid in out.split()}

        def listening():
            return workers() & {pid for pid, _ in supervisor.port_holders(port)}

        def serves():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
            except OSError:
                return False

        def wait_for(check, what: str) -> None:
            deadline = time.monotonic() + 60
            while not check():
                assert time.monotonic() < deadline and server.poll() is None, what
                time.sleep(0.1)

        wait_for(lambda: len(listening()) == 2, "granian did not start")
        victim = min(listening())
        os.kill(victim, signal.SIGKILL)
        # Dead, not dying: its socket closed (a moment after its file descriptors), or the
        # kernel would still hand it connections, to be reset.
        wait_for(lambda: len(supervisor.listening_sockets(port)) == 1, "the killed worker's socket closed")
        assert all(serves() for _ in range(5))  # the other worker answers meanwhile
        wait_for(lambda: len(listening()) == 2 and victim not in workers(), "the killed worker was not replaced")
        assert server.poll() is None and all(serves() for _ in range(5))
    finally:
        supervisor.kill_group(server)
        server.wait()


def runner(port: int, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tooling.stack", "run"], cwd=settings.BASE_DIR,
                            env={**os.environ, "BOXOFFICE_WEB_PORT": str(port), **env},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_the_runner_refuses_a_port_that_already_answers_and_names_who_holds_it():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = runner(taken.getsockname()[1])
        try:
            out, _ = run.communicate(timeout=60)
        finally:
            supervisor.kill_group(run)
    assert f"already answers: process {os.getpid()}" in out and "Traceback" not in out


@pytest.fixture
def scratch_database():
    db = settings.DATABASES["default"]
    name = "boxoffice_runner_scratch"
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://{db['USER']}@{db['HOST'].replace('/', '%2F')}:{db['PORT']}/{name}"
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_ctrl_c_during_start_up_stops_cleanly(scratch_database):
    port = free_port()
    run = runner(port, DATABASE_URL=scratch_database)
    lines = []
    for line in run.stdout:
        lines.append(line)
        if "REDIS_URL=" in line:  # the servers are up: what follows is the migration
            break
    time.sleep(1.5)  # the migration of an empty database is under way
    os.killpg(run.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the whole foreground group
    out, _ = run.communicate(timeout=60)
    out = "".join(lines) + out
    assert run.returncode == 0 and "[stack] stopping" in out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out


@pytest.fixture
def migrated_scratch_database(scratch_database):
    """A scratch database with the schema in place, copied from the test database when
    nothing else is connected to it (as `make run` finds it on any start but the first),
    so the runner does not spend its start on migrations. Else it is left empty."""
    from django.db import connections

    db = settings.DATABASES["default"]
    connections.close_all()
    name = scratch_database.rsplit("/", 1)[1]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')
        try:  # (no test database yet if no test before used one)
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{connections["default"].creation._get_test_db_name()}"')
        except (psycopg.errors.ObjectInUse, psycopg.errors.InvalidCatalogName):
            conn.execute(f'CREATE DATABASE "{name}"')
    return scratch_database


def test_a_second_stop_signal_during_the_clean_up_leaves_nothing_running(migrated_scratch_database):
    """A supervisor stopping `make run` sends SIGTERM to its whole group: make passes it
    on, so the runner gets it twice, the second while it stops what it started. The clean-up
    goes on to the end: no server is left holding the ports for the next start."""
    port = free_port()
    run = runner(port, DATABASE_URL=migrated_scratch_database)
    try:
        lines = []
        for line in run.stdout:
            lines.append(line)
            if "Ctrl-C stops everything started here" in line:  # up, every server started
                break
        os.kill(run.pid, signal.SIGTERM)
        for line in run.stdout:
            lines.append(line)
            if "[stack] stopping" in line:
                break
        os.kill(run.pid, signal.SIGTERM)  # the second, as the clean-up begins
        out, _ = run.communicate(timeout=90)
    finally:
        supervisor.kill_group(run)
    out = "".join(lines) + out
    # (Celery's worker logs its pool's children stopped; the runner itself says nothing amiss.)
    assert "tooling/stack.py" not in out and "KeyboardInterrupt" not in out, out[-3000:]
    for served in range(port, port + 4):  # HAProxy's front, then the three pools
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", served)) != 0, f"port {served} still answers"


def serving(port: int) -> list[int]:
    """The processes of a box office started with BOXOFFICE_WEB_PORT=port (its runner, and
    every program it started: each inherits the variable)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if f"BOXOFFICE_WEB_PORT={port}\0".encode() in (proc / "environ").read_bytes():
                    found.append(int(proc.name))
    return found


def test_ctrl_c_while_the_drill_starts_its_box_office_leaves_none_of_it_running():
    """`make drill` starts a whole box office in a process group of its own, which a terminal's
    Ctrl-C does not reach: interrupted while it waits for that box office to come up, the
    drill stops it, rather than leave its pools, worker and beat running behind it."""
    port = free_port()
    drill = subprocess.Popen([sys.executable, "-m", "tooling.drill", "--only", "celery", "--buyers", "1"],
                             cwd=settings.BASE_DIR, env={**os.environ, "BOXOFFICE_DRILL_PORT": str(port)},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        for line in drill.stdout:
            if "starting the box office" in line:
                break
        deadline = time.monotonic() + 30
        while not serving(port):  # its runner is under way (migrating its scratch database)
            assert time.monotonic() < deadline, "the drill started no box office"
            time.sleep(0.2)
        time.sleep(2)
        os.killpg(drill.pid, signal.SIGINT)  # a terminal's Ctrl-C: to make's group, the drill in it
        drill.communicate(timeout=120)
        deadline = time.monotonic() + 60
        while serving(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not serving(port), "the drill's box office outlived the drill"
    finally:
        supervisor.kill_group(drill)
        for pid in serving(port):  # what a failed run left: each runner stops what it started
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)


def test_redis_is_ready_only_once_it_answers_ping_not_while_it_loads_its_data():
    """Redis accepts connections while it loads a large append-only file, answering every
    command with LOADING: the stack waits for a PONG, not for the port."""
    answers = [b"-LOADING Redis is loading the dataset in memory\r\n"] * 2 + [b"+PONG\r\n"]
    answers.append(b"-NOAUTH Authentication required.\r\n")  # one with a password: loaded too
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]

    def serve():
        for answer in answers:
            conn, _ = server.accept()
            with conn:
                conn.recv(64)
                conn.sendall(answer)

    import threading

    threading.Thread(target=serve, daemon=True).start()
    try:
        assert not stack.redis_ready(port) and not stack.redis_ready(port)  # the port is open: not enough
        assert stack.redis_ready(port)
        assert stack.redis_ready(port)
    finally:
        server.close()


def test_manage_py_finds_the_stack_on_the_ports_it_was_started_on():
    """An operator who started the stack on other ports (BOXOFFICE_PG_PORT, ...) runs
    manage.py with the same variables: it reaches that stack, not whatever answers on the
    default ports."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(BOXOFFICE_PG_PORT="15999", BOXOFFICE_REDIS_PORT="16999", DJANGO_DEBUG="1")
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings as s; print(s.DATABASES['default']['PORT'], s.REDIS_URL)"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True).stdout.split()[-2:]
    assert out == ["15999", "redis://127.0.0.1:16999/0"]


def test_the_runner_prints_the_demo_passwords_the_operator_chose():
    """A password chosen with DEMO_<USER>_PASSWORD is not printed as the default one (nor
    printed at all: it ends up in logs); the others are."""
    logins = stack.demo_logins({"DEMO_CLERK_PASSWORD": "counter-2026"})
    assert "clerk / $DEMO_CLERK_PASSWORD" in logins and "clerk-demo" not in logins
    assert "counter-2026" not in logins
    assert "door / door-demo" in logins and "admin / admin-demo" in logins


@pytest.mark.skipif(os.geteuid() != 0, reason="the cluster's folder is handed to postgres only by root")
def test_finding_the_clusters_folder_while_postgres_writes_in_it_never_fails(monkeypatch):
    """Every tool asks for the cluster's folder, the server running: files that come and go
    in its data meanwhile are no reason to fail, and the folder is still handed to postgres."""
    import shutil
    import tempfile
    import threading

    root = Path(tempfile.mkdtemp(prefix="boxoffice-stack-"))
    root.chmod(0o755)  # postgres must reach it, as it reaches a checkout
    monkeypatch.setattr(stack, "STACK", root)
    data = root / "pg" / "data"
    data.mkdir(parents=True)
    for n in range(300):
        (data / f"kept{n}").touch()
    stop = threading.Event()

    def churn():  # as the server does with its statistics and WAL files
        n = 0
        while not stop.is_set():
            path = data / f"tmp{n % 50}"
            path.touch()
            path.unlink()
            n += 1

    writer = threading.Thread(target=churn)
    writer.start()
    try:
        for _ in range(40):
            assert stack.pg_base() == root / "pg"
    finally:
        stop.set()
        writer.join()
    try:
        import pwd
        postgres = pwd.getpwnam("postgres").pw_uid
        assert (root / "pg").stat().st_uid == postgres and (root / "pg" / "run").stat().st_uid == postgres
    finally:
        shutil.rmtree(root)


def _charge(port: int, number: str) -> requests.Response:
    """A PaymentIntent paid with the card `number` straight away, on the provider at `port`."""
    base, key = f"http://127.0.0.1:{port}", {"Authorization": "Bearer sk_test_localstripe"}
    token = requests.post(f"{base}/v1/tokens", timeout=5, data={
        "card[number]": number, "card[exp_month]": "12", "card[exp_year]": "2031", "card[cvc]": "123",
        "key": "pk_test_localstripe"}).json()
    intent = requests.post(f"{base}/v1/payment_intents", headers=key, timeout=5, data={
        "amount": 1000, "currency": "eur", "payment_method": token["card"]["id"]}).json()
    return requests.post(f"{base}/v1/payment_intents/{intent['id']}/confirm", headers=key, timeout=5)


@pytest.fixture
def stripe_stack(tmp_path, monkeypatch):
    """A stack directory and a port of the test's own for the local provider; whatever
    runs there is stopped afterwards."""
    monkeypatch.setattr(stack, "STACK", tmp_path)
    monkeypatch.setattr(stack, "STRIPE_PORT", free_port())
    (tmp_path / "stripe").mkdir()
    yield tmp_path / "stripe"
    stack.stripe_down()


def test_stack_up_restarts_a_local_provider_an_older_checkout_started(stripe_stack):
    """A localstripe started by the project before it declined Stripe's decline cards (bare
    `python -m localstripe`, its pid where the stack keeps it) approves 4000 0000 0000 0002;
    `stack up` stops it and starts the provider of this checkout, and reuses that one."""
    port = stack.STRIPE_PORT
    old = subprocess.Popen([sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
                           cwd=stripe_stack, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        (stripe_stack / "localstripe.pid").write_text(str(old.pid))
        stack.wait_for(lambda: stack.port_open(port), "the old localstripe")
        assert _charge(port, "4000000000000002").status_code == 200  # approved: the old shape
        assert stack.stripe_up() is True
        assert old.wait(timeout=10) is not None
        assert _charge(port, "4000000000000002").status_code == 402
        assert _charge(port, "4242424242424242").status_code == 200
        current = (stripe_stack / "localstripe.pid").read_text()
        assert stack.stripe_up() is False  # this checkout's own: kept, with what it holds
        assert (stripe_stack / "localstripe.pid").read_text() == current
    finally:
        supervisor.kill_group(old)


def test_the_local_provider_keeps_its_state_in_its_stack_not_in_the_shared_tmp(stripe_stack):
    """localstripe writes its store to /tmp/localstripe.pickle, one file for every instance
    on the machine; the stack's provider writes it in its own stack directory."""
    assert stack.stripe_up() is True
    answer = _charge(stack.STRIPE_PORT, "4242424242424242")
    assert answer.status_code == 200
    kept = stripe_stack / "localstripe.pickle"
    assert kept.exists() and answer.json()["id"].encode() in kept.read_bytes()
    shared = Path("/tmp/localstripe.pickle")
    assert not shared.exists() or answer.json()["id"].encode() not in shared.read_bytes()


def test_stack_up_refuses_a_port_held_by_something_else_than_a_local_provider(stripe_stack):
    """Something else answers on the provider's port (no pid of the stack's): `stack up`
    says so and stops, rather than using it as the provider or stopping it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", stack.STRIPE_PORT))
        taken.listen()
        with pytest.raises(SystemExit, match=f"{stack.STRIPE_PORT} answers, but not as this checkout's local provider"):
            stack.stripe_up()


def test_the_readme_names_every_debian_package_make_run_installs_for_who_is_not_root():
    """Not root, `make run` stops at the first Debian server missing and names only it; the
    README gives the one command that installs them all beforehand."""
    import inspect
    import re

    wanted = set(re.findall(r'(?:apt_install|debian_program)\((?:"[^"]*", )?"([a-z0-9.+-]+)"',
                            inspect.getsource(stack)))
    assert {"postgresql", "haproxy", "pgbouncer"} <= wanted
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    command = re.search(r"`sudo apt-get install ([a-z0-9.+ -]+)`", readme)
    assert command, "the README gives no apt-get command for a user who is not root"
    assert wanted <= set(command[1].split())


def test_the_runners_celery_beat_does_not_bury_the_banner_under_a_line_per_task(monkeypatch, tmp_path):
    """`make run` prints the addresses and demo logins once; Celery beat sends a task every
    few seconds, and a line for each (INFO) scrolled them off the screen within a minute.
    Beat and the worker log what goes wrong, not each task."""
    started = {}
    monkeypatch.setattr(stack, "spawn",
                        lambda cmd, **kw: "-A" in cmd and started.setdefault(cmd[cmd.index("-A") + 2], cmd))
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    for program_ in stack.programs(env, local_database=False):
        program_.start()
    beat = [part if not str(part).endswith("celerybeat-schedule") else str(tmp_path / "schedule")
            for part in started["beat"]]
    proc = subprocess.Popen(beat, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        time.sleep(8)  # beat's shortest interval is 5 s
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
    said = proc.communicate(timeout=30)[0]
    assert "beat: Starting" in said or "LocalTime" in said, said  # it ran
    assert "Sending due task" not in said
    assert "-l" in started["worker"] and started["worker"][started["worker"].index("-l") + 1] == "warning"
