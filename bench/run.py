"""`make bench`: N tickets in a dedicated PostgreSQL database, the app under gunicorn as in production,
wrk from a separate process, and beside each endpoint the floors it cannot beat. Writes
bench/results/latest.md and plans.md; fails only if a request fails.

Settings (environment): BENCH_TICKETS (1000000), BENCH_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/ticketdesk_bench), BENCH_DURATION seconds per loaded run (30),
BENCH_SERVICE_DURATION seconds per one-connection run (10), BENCH_CONNECTIONS (32), BENCH_REUSE=1 to keep
an already loaded database.
"""
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import psycopg2
import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from config import ROOT, database_url, gunicorn_threads
from tests.fixtures.servers import wait_until_answering
from ticketdesk import create_app
from ticketdesk.extensions import db

from . import load
from .endpoints import FLOORED, Endpoint, capture_sql, endpoints, explain
from .serialise import measure_encoders

RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "wrk" / "report.lua"


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk")


def forget_created(url: str) -> int:
    """Delete what earlier runs' "create" endpoint filed: tens of thousands of new tickets at the newest end
    would otherwise change what every newest-first walk (a common word's search) has to skip."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            return conn.execute(sa.text("DELETE FROM tickets WHERE created_by LIKE 'token:bench-%' "
                                        "OR created_by = 'bench-floor'")).rowcount
    finally:
        engine.dispose()


def loaded_count(url: str) -> int | None:
    try:
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM tickets")).scalar()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def sql_floor(dsn: str, statements: list[tuple[str, dict]], write: bool, created_id: int | None = None,
              seconds: float = 2.0) -> float:
    """Median milliseconds PostgreSQL takes for the statements of one request, run back to back on one
    connection from this process (a commit included for writes). `created_id`: the id the captured request
    created; each run puts the id its own first INSERT … RETURNING made in its place (a ticket's SLA row is
    keyed by the ticket, so replaying the captured id would collide)."""
    times = []
    with psycopg2.connect(dsn) as conn:
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline or len(times) < 20:
            started, made = time.perf_counter(), None
            with conn.cursor() as cursor:
                for statement, parameters in statements:
                    if made is not None and isinstance(parameters, dict):
                        parameters = {k: made if v == created_id and type(v) is int else v
                                      for k, v in parameters.items()}
                    if isinstance(parameters, (list, tuple)):  # an executemany (the SLA rows of a bulk change)
                        cursor.executemany(statement, parameters)
                        continue
                    cursor.execute(statement, parameters)
                    if cursor.description:
                        rows = cursor.fetchall()
                        if created_id is not None and made is None and statement.lstrip().upper().startswith("INSERT"):
                            made = rows[0][0]
            conn.commit() if write else conn.rollback()
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def plan_of(conn, statement: str, parameters) -> str:
    """EXPLAIN ANALYZE (rolled back); for a write whose captured row is already there (a new ticket's SLA
    row, keyed by the ticket the captured request made), the plan without running it. An executemany is
    explained for its first row."""
    if isinstance(parameters, (list, tuple)):
        return f"(an executemany of {len(parameters)} rows; the first)\n" + plan_of(conn, statement, parameters[0])
    try:
        return explain(conn, statement, parameters, analyze=True)
    except psycopg2.errors.UniqueViolation:
        conn.rollback()
        return "(not run: the captured request's row exists; the plan without ANALYZE)\n" + explain(
            conn, statement, parameters)


def libpq_dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host or '127.0.0.1'} port={u.port or 5432} user={u.username or 'postgres'} dbname={u.database}"


def wrk(binary: str, base: str, endpoint: Endpoint, connections: int, seconds: int, headers: dict) -> dict:
    threads = min(connections, 2)
    env = {**os.environ, "BENCH_METHOD": endpoint.method, "BENCH_BODY": endpoint.body_text,
           "BENCH_AUTHORIZATION": headers.get("Authorization", ""), "BENCH_COOKIE": headers.get("Cookie", "")}
    out = subprocess.run([binary, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
                          "-s", str(LUA), base + endpoint.path], env=env, capture_output=True, text=True, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["errors"] = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors",
                                                "timeouts"))
    return result


CHAIN = "learned,keyword"  # the learned model answers the classify endpoint where it is sure
JOB_QUEUE = "redis://127.0.0.1:6379/14"  # the bench's own queue database, emptied at each start
SECRET_KEY = secrets.token_hex(32)  # the server's, so that load.credentials() can sign an agent's session


def start_gunicorn(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "TICKETDESK_ENV": "production", "SECRET_KEY": SECRET_KEY,
           "TRUSTED_HOSTS": "127.0.0.1", "TICKETDESK_CLASSIFIER": CHAIN, "HOST": "127.0.0.1", "PORT": str(port), "AUTO_MIGRATE": "0",
           "CLASSIFY_RATE_LIMIT": "1000000 per second",  # measure the classifier, not the limiter
           # replies are queued for delivery as in production (Redis queue, SMTP configured); no worker runs,
           # so what is measured is the request's own work, and nothing is sent anywhere
           "JOB_BROKER_URL": JOB_QUEUE, "SMTP_URL": "smtp://127.0.0.1:9", "MAIL_FROM": "support@example.com"}
    redis.Redis.from_url(JOB_QUEUE).flushdb()
    log = open(RESULTS / "gunicorn.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                               "wsgi:app"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/readyz", server)
    except RuntimeError as e:
        raise SystemExit(f"gunicorn did not become ready ({e}); see bench/results/gunicorn.log") from None
    return server


def start_floor(url: str, port: int) -> subprocess.Popen:
    """bench/floor.py under gunicorn with the desk's worker model (gunicorn.conf.py's workers and threads)."""
    workers = int(os.environ.get("WEB_CONCURRENCY") or min(os.cpu_count() * 2 + 1, 8))
    env = {**os.environ, "FLOOR_DATABASE_URL": url}
    log = open(RESULTS / "floor.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "/dev/null",  # not the desk's hooks
                               "--workers", str(workers), "--threads",
                               str(gunicorn_threads()), "--worker-class", "gthread", "--keep-alive", "5",
                               "--bind", f"127.0.0.1:{port}", "bench.floor:app"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/api/tickets/1/", server)
    except RuntimeError as e:
        raise SystemExit(f"the floor app did not become ready ({e}); see bench/results/floor.log") from None
    return server


def serve_empty_database(url: str, port: int, scope: str = "write") -> tuple[subprocess.Popen, dict[str, str]]:
    """gunicorn on a new database built by the migrations, and the credentials (a token of `scope`) to call it with."""
    RESULTS.mkdir(exist_ok=True)
    load.recreate_database(url)
    load.migrate(url)
    headers = load.credentials(url, SECRET_KEY, scope)
    return start_gunicorn(url, port), headers


def learned_model() -> str:
    """Train the learned classifier on the repository's unsealed labelled tickets (a small desk's history)
    and store it, so the classify endpoint is measured with the model answering."""
    from ticketdesk.triage.training import save, train
    rows = [json.loads(line) for name in ("labelled_tickets.jsonl", "heldout_tickets.jsonl", "severity_tickets.jsonl")
            for line in (ROOT / "tests" / "fixtures" / "data" / name).read_text().splitlines() if line.strip()]
    model, report = train([{"text": f"{r['title']}. {r['description']}", "category": r["category"],
                            "priority": r["priority"]} for r in rows])
    return f"learned model #{save(model, report).id} trained on {report.tickets} labelled tickets"


def measure_scan(url: str, dsn: str) -> tuple[list[tuple[str, int, float]], str]:
    """The periodic SLA scan on the loaded desk, in-process as the worker runs it: its first run after the
    clocks were written (the warnings whose time has come), then a run with nothing new; and the plan of the
    statement that finds the tickets to look at."""
    from ticketdesk.sla.alerts import scan
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "JOB_BROKER_URL": "memory://"})
    runs, statements = [], []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute",
                        lambda conn, cursor, statement, parameters, context, many: statements.append(
                            (statement, parameters)))
        for label in ("first run: the warnings whose time has come", "next run: nothing new"):
            started = time.perf_counter()
            sent = scan()
            runs.append((label, sent, (time.perf_counter() - started) * 1000))
        db.engine.dispose()
    finder = next((s, p) for s, p in statements if "ticket_slas" in s and "next_alert_at <=" in s)
    with psycopg2.connect(dsn) as conn:
        plan = explain(conn, *finder, analyze=True)
        conn.rollback()
    return runs, (f"## SLA scan: the tickets whose alert time has come\n\n```sql\n{finder[0].strip()}\n```\n\n"
                  f"```\n{plan}\n```\n")


def ms(us: float) -> str:
    return f"{us / 1000:.2f}"


def main() -> int:
    count = setting("BENCH_TICKETS", 1_000_000)
    duration = setting("BENCH_DURATION", 30)
    service_duration = setting("BENCH_SERVICE_DURATION", 10)
    connections = setting("BENCH_CONNECTIONS", 32)
    port = setting("BENCH_PORT", 8765)
    url = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_bench", "BENCH_DATABASE_URL")
    RESULTS.mkdir(exist_ok=True)
    binary = ensure_wrk()

    fill_seconds = None
    if os.environ.get("BENCH_REUSE") == "1" and (loaded_count(url) or 0) >= count:
        load.migrate(url)
        print(f"reusing {url}: {forget_created(url):,} tickets filed by earlier runs removed, "
              f"{loaded_count(url):,} left, brought up to the latest migration", flush=True)
    else:
        print(f"loading {count:,} tickets into {url} ...", flush=True)
        fill_seconds = load.build(url, count)
        print(f"loaded in {fill_seconds:.1f} s", flush=True)
    total = loaded_count(url)
    headers = load.credentials(url, SECRET_KEY)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": CHAIN,
                      "SECRET_KEY": SECRET_KEY})  # the key that signed the agent's session in `headers`
    with app.app_context():
        print(learned_model(), flush=True)
        targets = endpoints(total)
        pg_version = db.session.execute(sa.text("SHOW server_version")).scalar()
    dsn = libpq_dsn(url)
    floors, plans = {}, []
    with psycopg2.connect(dsn) as conn:
        for endpoint in targets:
            if not endpoint.uses_database:
                continue
            statements = capture_sql(app, endpoint, headers)
            floors[endpoint.name] = sql_floor(dsn, statements, write=endpoint.method != "GET",
                                              created_id=endpoint.created_id)
            for statement, parameters in statements:
                plans.append(f"## {endpoint.name}\n\n```sql\n{statement.strip()}\n```\n\n```\n"
                             f"{plan_of(conn, statement, parameters)}\n```\n")
                conn.rollback()
    with app.app_context():
        db.engine.dispose()
    encoders = measure_encoders(url, headers)
    scans, scan_plan = measure_scan(url, dsn)
    plans.append(scan_plan)

    server = start_gunicorn(url, port)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        for endpoint in targets:
            print(f"{endpoint.name}: warm-up, 1 connection {service_duration} s, {connections} connections "
                  f"{duration} s", flush=True)
            wrk(binary, base, endpoint, 4, 2, headers)
            results[endpoint.name] = (wrk(binary, base, endpoint, 1, service_duration, headers),
                                      wrk(binary, base, endpoint, connections, duration, headers))
    finally:
        server.terminate()
        server.wait(30)

    # the same operations on the floor app (bench/floor.py): desk ÷ floor, per operation
    floor = {}
    try:
        floor_server = start_floor(url, port + 1)
    except SystemExit as e:  # the desk's figures are reported all the same
        print(e, file=sys.stderr)
        floor_server = None
    try:
        for endpoint in targets:
            if endpoint.name in FLOORED and floor_server is not None:
                print(f"floor: {endpoint.name}", flush=True)
                wrk(binary, f"http://127.0.0.1:{port + 1}", endpoint, 4, 2, {})
                floor[endpoint.name] = (wrk(binary, f"http://127.0.0.1:{port + 1}", endpoint, 1, service_duration, {}),
                                        wrk(binary, f"http://127.0.0.1:{port + 1}", endpoint, connections, duration, {}))
    finally:
        if floor_server is not None:
            floor_server.terminate()
            floor_server.wait(30)

    (RESULTS / "raw.json").write_text(json.dumps({"results": results, "floors": floors, "floor": floor,
                                                  "scans": scans, "encoders": encoders}))  # kept if render fails
    report = render(targets, results, floors, encoders, scans, floor, count=total, fill_seconds=fill_seconds, duration=duration,
                    service_duration=service_duration, connections=connections, pg_version=pg_version)
    (RESULTS / "latest.md").write_text(report)
    (RESULTS / "plans.md").write_text(f"# Query plans at {total:,} tickets (EXPLAIN ANALYZE)\n\n" + "\n".join(plans))
    print(report)
    failed = {name: loaded["errors"] + single["errors"] for name, (single, loaded) in
              [*results.items(), *((f"floor: {name}", runs) for name, runs in floor.items())]
              if loaded["errors"] or single["errors"]}
    if failed:
        print(f"FAILED requests: {failed}", file=sys.stderr)
        return 1
    return 0


def render(targets, results, floors, encoders, scans, floor_runs, *, count, fill_seconds, duration, service_duration, connections,
           pg_version) -> str:
    bare_single, bare_loaded = results[targets[0].name]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    lines = [
        f"# TicketDesk benchmark, {count:,} tickets",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores ({cpu}) · PostgreSQL {pg_version} "
        f"on the same machine · gunicorn with `gunicorn.conf.py` (production settings) · wrk on the same "
        f"machine" + (f" · {count:,} tickets loaded in {fill_seconds:.0f} s" if fill_seconds else ""),
        "",
        f"Each endpoint: 2 s warm-up, then **1 connection for {service_duration} s** (service time) and "
        f"**{connections} connections for {duration} s** (throughput). Times in ms.",
        "",
        "| endpoint | 1 conn p50 | 1 conn p99 | SQL floor | p50 ÷ (bare + SQL) | req/s "
        f"| {connections} conn p50 | {connections} conn p99 | req/s ÷ bare | errors |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for endpoint in targets:
        single, loaded = results[endpoint.name]
        floor = floors.get(endpoint.name)
        limit_us = bare_single["p50_us"] + (floor or 0) * 1000
        lines.append(
            f"| {endpoint.name} | {ms(single['p50_us'])} | {ms(single['p99_us'])} | "
            f"{f'{floor:.2f}' if floor is not None else '–'} | {single['p50_us'] / limit_us:.1f}× | "
            f"{loaded['rps']:,.0f} | {ms(loaded['p50_us'])} | {ms(loaded['p99_us'])} | "
            f"{loaded['rps'] / bare_loaded['rps']:.2f} | {single['errors'] + loaded['errors']} |")
    lines += [
        "",
        "- **SQL floor**: median time for the statements the app runs for that request (captured from the app), "
        "run back to back by psycopg2 on one connection, commit included for writes.",
        "- **p50 ÷ (bare + SQL)**: one-connection p50 over the sum of the bare endpoint's p50 (HTTP, gunicorn, "
        "Flask) and the SQL floor; 1.0× would mean the endpoint adds nothing of its own.",
        "- **req/s ÷ bare**: loaded throughput as a share of the bare endpoint's on the same server.",
        "",
        "## Against the floor: a minimal Flask + SQLAlchemy app (bench/floor.py), same database and workers",
        "",
        "| operation | desk p50 | floor p50 | desk ÷ floor | desk req/s | floor req/s | floor ÷ desk, loaded |",
        "|---|--:|--:|--:|--:|--:|--:|",
        *(f"| {name} | {ms(results[name][0]['p50_us'])} | {ms(single['p50_us'])} | "
          f"{results[name][0]['p50_us'] / single['p50_us']:.2f}× | {results[name][1]['rps']:,.0f} | "
          f"{loaded['rps']:,.0f} | {loaded['rps'] / results[name][1]['rps']:.2f}× |"
          for name, (single, loaded) in floor_runs.items()),
        "",
        "The floor has no access control, validation, audit, counts or SLA of its own (the database's triggers "
        "still fire); its classify is one keyword rule and the suggestion kept. 1 connection p50 for the ratio.",
        "",
        "## JSON encoding of one 100-ticket page (in-process, median of repeated runs)",
        "",
        "| step | ms |",
        "|---|--:|",
        *(f"| {step} | {value:.3f} |" for step, value in encoders.items()),
        "",
        "## The SLA scan (the periodic job, in-process; its plan is in plans.md)",
        "",
        "| run | alerts sent | ms |",
        "|---|--:|--:|",
        *(f"| {label} | {sent} | {took:.1f} |" for label, sent, took in scans),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
