"""A bounded load test on this machine: the portal under gunicorn on PostgreSQL beside a bare Flask app.

    apt-get install -y wrk        # throughput and latency (a C client, so the Python journey does not flatter it)
    .venv/bin/python bench/load.py [--people 50] [--connections 50] [--seconds 10]

What it does, on 127.0.0.1 only, and it stops by itself (a fixed number of people and fixed-length wrk runs):

1. Makes a fresh PostgreSQL database (``PORTAL_BENCH_DATABASE_URL``, default
   ``postgresql://postgres@127.0.0.1:5432/portal_load``; dropped and created again), migrates it and seeds the
   demo organisations, configurations and cases plus one citizen account per simulated person.
2. Serves the portal with ``gunicorn -c gunicorn.conf.py`` (the repository's production settings: workers,
   threads and timeouts from it, or from PORTAL_WEB_WORKERS / PORTAL_WEB_THREADS / PORTAL_WEB_KEEPALIVE).
3. The journey: N people at once, each signing in, starting an assessment, giving their details, answering every
   question, checking their answers, reading the estimate and sending it. It counts every unexpected response
   as an error, by kind of page.
4. wrk, with ``--connections`` connections for ``--seconds`` each, on a question page, check answers, the
   estimate (signed in as a citizen with a draft), the staff queue and a case page (signed in as an assessor).
5. Serves ``bench/hello.py`` (a bare Flask "hello") under the same gunicorn settings beside it and runs wrk on
   it the same way just before each portal page, ``--rounds`` times (3 by default: the same code on this shared
   machine gave a bare app 2,400 to 5,100 requests a second within minutes), each run once the server before it
   is idle again (a slow page's queued requests are still served after wrk stops), then prints per kind of page
   the medians over the rounds of pages a second, median and p99, and of each round's ratio to the bare run beside
   it, with every round's ratio so the spread shows.

CI does not run it (it needs wrk, PostgreSQL and the machine to itself); figures go in README.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # not bench/, whose queue.py would hide the standard library's queue

HOST = "127.0.0.1"  # never anything else: this is a load test of this machine
PASSWORD = "bench-password-2026"  # noqa: S105 - accounts of a throwaway benchmark database
SECRET = "load-test-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - throwaway, loopback only
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_load"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


# -- the database ------------------------------------------------------------------------------------


def fresh_database(url: str, people: int) -> None:
    """Drop and create the database, migrate it, seed the demo and one citizen per simulated person."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portal.config import normalise_database_url

    url = normalise_database_url(url)
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()

    from flask_migrate import upgrade

    from portal.app import create_app
    from portal.config import TestConfig
    from portal.demo import seed_demo, seed_demo_cases
    from portal.demo_configs import seed_demo_configurations
    from portal.extensions import db
    from portal.models import Account, Role
    from portal.security import hash_password

    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, TESTING=False, SECRET_KEY=SECRET)
    app = create_app(config)
    with app.test_request_context():
        upgrade()
        seed_demo()
        seed_demo_configurations()
        seed_demo_cases()
        hashed = hash_password(PASSWORD)
        db.session.add_all(
            Account(
                email=f"load{n}@example.org", name=f"Load Person {n}", role=Role.CITIZEN, password_hash=hashed
            )
            for n in range(people + 1)
        )
        assessor = db.session.scalar(db.select(Account).filter_by(email="assessor@northfield.example.org"))
        assessor.password_hash = hashed
        db.session.commit()
        db.engine.dispose()


# -- a small HTTP client (keep-alive, one cookie jar) -----------------------------------------------------


class Browser:
    """One person's browser: a keep-alive connection, cookies, the last page's CSRF token."""

    def __init__(self, port: int, timings: dict[str, list[float]], errors: dict[str, int]) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.timings = timings
        self.errors = errors
        self.connection = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(
        self, kind: str, method: str, path: str, form: dict[str, Any] | None = None
    ) -> tuple[int, str, str]:
        """Send a request; returns (status, Location, body). A 4xx/5xx or a failure counts as an error."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.errors[kind] += 1
            return 0, "", ""
        self.timings[kind].append(time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status >= 400:
            self.errors[kind] += 1
        match = CSRF.search(text)
        if match:
            self.token = match.group(1)
        return response.status, response.headers.get("Location", ""), text

    def sign_in(self, email: str) -> str:
        """Sign in through the form; returns where the portal sends them."""
        self.request("sign in", "GET", "/account/sign-in")
        status, location, _ = self.request(
            "sign in", "POST", "/account/sign-in", {"email": email, "password": PASSWORD}
        )
        if status != 303:
            self.errors["sign in"] += 1
        return location


def path_of(location: str) -> str:
    """The path of a Location header (absolute or not)."""
    return re.sub(r"^https?://[^/]+", "", location)


def first_answer(question: Any) -> Any:
    """A valid answer for any question: the first option, a small number, today's date, some text."""
    from portal.questionnaire import QuestionType

    if question.type is QuestionType.SINGLE:
        return question.options[0].value
    if question.type is QuestionType.MULTIPLE:
        return [question.options[0].value]
    if question.type is QuestionType.NUMBER:
        return "1"
    if question.type is QuestionType.DATE:
        today = date.today()  # a date the question accepts whatever its window (some must be recent)
        return [str(today.day), str(today.month), str(today.year)]
    return "I like gardening."


def journey(browser: Browser, email: str, *, send: bool = True) -> str:
    """Sign in, start, give the details, answer every question, check, read the estimate, send. Returns the case id."""
    from portal.questionnaire import load_schema

    schema = load_schema()
    browser.sign_in(email)
    browser.request("start", "GET", "/my/new")
    _, location, _ = browser.request("start", "POST", "/my/new", {"who": "myself"})
    about = path_of(location)
    case_id = about.split("/")[3]
    browser.request("about", "GET", about)
    _, location, _ = browser.request(
        "about",
        "POST",
        about,
        {"date_of_birth": ["14", "2", "1948"], "postcode": "NF1 1AA", "nhs_number": ""},
    )
    url = f"/my/cases/{case_id}/continue"
    _, location, _ = browser.request("carry on", "GET", url)
    url = path_of(location)
    for _ in range(300):
        if "/questions/" not in url:
            break
        browser.request("question", "GET", url)
        question = schema.question(url.rsplit("/", 1)[1].split("?")[0])
        status, location, _ = browser.request(
            "question", "POST", url, {"answer": first_answer(question), "submit": "y"}
        )
        if status != 303:
            browser.errors["question"] += 1
            break
        url = path_of(location)
        if url.endswith("/urgent"):
            url = f"/my/cases/{case_id}/check"
    browser.request("check answers", "GET", f"/my/cases/{case_id}/check")
    browser.request("estimate", "GET", f"/my/cases/{case_id}/estimate")
    if send:
        browser.request("send", "GET", f"/my/cases/{case_id}/send")
        status, _, _ = browser.request("send", "POST", f"/my/cases/{case_id}/send", {"confirm": "y"})
        if status != 303:
            browser.errors["send"] += 1
    return case_id


# -- servers and wrk ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def serve(
    app: str, port: int, env: dict[str, str], *, pythonpath: str | None = None
) -> subprocess.Popen[bytes]:
    """Start gunicorn with the repository's settings on 127.0.0.1 and wait until it answers."""
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
    ]
    if pythonpath:
        command += ["--pythonpath", pythonpath]
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [*command, app],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            with socket.create_connection((HOST, port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"gunicorn for {app} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def cpu_seconds(group: int) -> float:
    """CPU time so far of a server's processes (its process group) and of every PostgreSQL process.

    Throughput on a shared machine swings by a third within minutes; the CPU a page costs does not, so it is
    printed beside it (Linux /proc only; 0 elsewhere).
    """
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, _, rest = text.partition(" (")[2].rpartition(") ")
        fields = rest.split()
        if name == "postgres" or int(fields[2]) == group:  # fields[2] is the process group
            # user and system time, its own and that of its children ended since (workers replaced after
            # max_requests, PostgreSQL backends that closed)
            ticks += sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(group: int, *, limit: float = 15.0) -> None:
    """Wait until the server (and PostgreSQL) is idle again: wrk stops sending, but the requests already queued
    on its connections are still served for a while, and the next run (the bare app's, often) must not share
    the cores with them. Idle is under 20 ms of CPU in half a second; at most ``limit`` seconds."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(group)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(group)
        if now - last < 0.02:
            return
        last = now


def wrk(url: str, *, connections: int, seconds: int, cookie: str = "", group: int = 0) -> dict[str, float]:
    """Run wrk; pages a second, median and p99 in ms, and responses that were not 2xx/3xx or failed."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    before = cpu_seconds(group)
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    used = cpu_seconds(group) - before
    settle(group)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    return {
        "cpu_ms": used * 1000 / max(total, 1),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "median": _milliseconds(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": _milliseconds(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "errors": (int(bad.group(1)) if bad else 0)
        + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


# -- the run -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=50, help="simulated people on the journey at once")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="bare-then-portal runs of each page; the figures are the medians over rounds",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="only these kinds of page for wrk, comma-separated (e.g. question,estimate)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL", DEFAULT_URL)
    print(f"seeding {url} with {args.people} people …", flush=True)
    fresh_database(url, args.people)
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": SECRET,
        "PORTAL_SECURE_COOKIES": "0",
        "PORTAL_HSTS": "0",
        "PORTAL_BASE_URL": f"http://{HOST}",
    }
    settings = (
        f"gunicorn.conf.py: {env.get('PORTAL_WEB_WORKERS', 'cores + 1')} workers x "
        f"{env.get('PORTAL_WEB_THREADS', '4')} threads (gthread), keep-alive {env.get('PORTAL_WEB_KEEPALIVE', '5')} s; "
        f"wrk -t2 -c{args.connections} -d{args.seconds}s"
    )
    port = free_port()
    portal = serve("portal.app:create_app()", port, env)
    try:
        # The journey: every person at once, errors counted by kind of page.
        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        threads = [
            threading.Thread(target=journey, args=(Browser(port, timings, errors), f"load{n}@example.org"))
            for n in range(1, args.people + 1)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        pages = sum(len(t) for t in timings.values())
        print(
            f"\njourney: {args.people} people at once, {pages} requests in {took:.1f} s, errors {sum(errors.values())}"
        )
        for kind in sorted(timings):
            values = sorted(timings[kind])
            print(
                f"  {kind:<14} {len(values):>6} requests  errors {errors[kind]:>3}  "
                f"median {statistics.median(values) * 1000:6.1f} ms  "
                f"p99 {values[int(len(values) * 0.99) - 1 if len(values) > 1 else 0] * 1000:7.1f} ms"
            )
        # Pages for wrk: a citizen with a finished draft (not sent) and an assessor with a sent case.
        citizen = Browser(port, defaultdict(list), errors)
        draft = journey(citizen, "load0@example.org", send=False)
        from portal.questionnaire import load_schema

        question = load_schema().questions[0].id
        staff = Browser(port, defaultdict(list), errors)
        staff.sign_in("assessor@northfield.example.org")
        _, _, queue = staff.request("queue", "GET", "/staff/queue")
        case = re.search(r'/staff/cases/([0-9a-f]{32})"', queue).group(1)

        def jar(browser: Browser) -> str:
            return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())

        targets = [
            ("question", f"/my/cases/{draft}/questions/{question}", jar(citizen)),
            ("check answers", f"/my/cases/{draft}/check", jar(citizen)),
            ("estimate", f"/my/cases/{draft}/estimate", jar(citizen)),
            ("staff queue", "/staff/queue", jar(staff)),
            ("case page", f"/staff/cases/{case}", jar(staff)),
        ]
        # The bare app is served beside the portal (an idle server costs nothing) and measured just before each
        # portal page, so each ratio compares two runs seconds apart: the machine may be shared and its load
        # drifts, which a single bare run at the end would fold into every ratio.
        hello_port = free_port()
        hello = serve("bench.hello:app", hello_port, env)
        try:
            results: dict[str, list[dict[str, float]]] = defaultdict(list)
            bares: dict[str, list[dict[str, float]]] = defaultdict(list)
            chosen = {p.strip() for p in args.pages.split(",") if p.strip()}
            for _ in range(args.rounds):
                for kind, path, cookie in targets:
                    if chosen and kind not in chosen:
                        continue
                    bares[kind].append(
                        wrk(
                            f"http://{HOST}:{hello_port}/",
                            connections=args.connections,
                            seconds=args.seconds,
                            group=hello.pid,
                        )
                    )
                    results[kind].append(
                        wrk(
                            f"http://{HOST}:{port}{path}",
                            connections=args.connections,
                            seconds=args.seconds,
                            cookie=cookie,
                            group=portal.pid,
                        )
                    )
        finally:
            stop(hello)
    finally:
        stop(portal)
    print(
        f"\nwrk ({settings}); each page right after a run of the bare app, {args.rounds} rounds: "
        "medians over the rounds, and each round's share of bare"
    )
    print(
        f"  {'page':<14} {'pages/s':>8} {'median ms':>10} {'p99 ms':>8} {'errors':>7}"
        f" {'bare/s':>8} {'bare p99':>9} {'of bare':>8} {'CPU ms':>7} {'bare':>5}  rounds"
    )
    for kind, runs in results.items():
        ratios = [run["rps"] / bare["rps"] for run, bare in zip(runs, bares[kind], strict=True)]

        def middle(values: list[dict[str, float]], key: str) -> float:
            return statistics.median(v[key] for v in values)

        print(
            f"  {kind:<14} {middle(runs, 'rps'):>8.0f} {middle(runs, 'median'):>10.1f} {middle(runs, 'p99'):>8.1f} "
            f"{sum(r['errors'] for r in runs):>7.0f} {middle(bares[kind], 'rps'):>8.0f} "
            f"{middle(bares[kind], 'p99'):>9.1f} {statistics.median(ratios):>8.1%} "
            f"{middle(runs, 'cpu_ms'):>7.2f} {middle(bares[kind], 'cpu_ms'):>5.2f}  "
            + " ".join(f"{r:.1%}" for r in ratios)
        )


if __name__ == "__main__":
    main()
