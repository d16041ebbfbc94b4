"""`make bench`, desk ÷ floor on both databases: the four operations bench/floor.py also serves (create,
classify, get one, patch a status) on PostgreSQL and on SQLite, at BENCH_RATIO_TICKETS (10,000) tickets
under one SLA policy, each server under gunicorn with the desk's worker model, one client connection (the
latency a user feels), desk and floor in turn, BENCH_RATIO_ROUNDS (3) rounds of BENCH_RATIO_SECONDS (3) per
operation, the median round reported. The ratio holds on any machine: what the desk's
guarantees (access control, validation, audit, counts, SLA clocks, the suggestion kept) cost over the least
a Flask + SQLAlchemy app does for the same request. Then mail in on the same two desks: BENCH_RATIO_MAILS
(500) new mails and as many replies, one by one (`ingest`) and in batches (`ingest_all`), in this process.
Writes bench/results/ratios.md.

The PostgreSQL database is BENCH_RATIO_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/ticketdesk_ratio),
rebuilt each run; the SQLite one a new file."""
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from config import database_url
from ticketdesk import create_app
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest, ingest_all
from ticketdesk.models import Message, SlaPolicy, Ticket, utcnow
from ticketdesk.tickets.demo import demo_tickets

from . import load
from .endpoints import CLASSIFY, NEW_TICKET, Endpoint
from .mail import BODY, desk_id, new_mail, reply_mail
from .run import CHAIN, RESULTS, SECRET_KEY, ensure_wrk, learned_model, setting, start_floor, start_gunicorn, wrk


def operations(total: int) -> list[Endpoint]:
    return [Endpoint("create", "/api/tickets/", "POST", NEW_TICKET),
            Endpoint("classify (learned)", "/api/tickets/classify/", "POST", CLASSIFY),
            Endpoint("one ticket", f"/api/tickets/{total // 3}/"),
            Endpoint("patch status (open, in progress in turn)", f"/api/tickets/{total // 2}/", "PATCH",
                     {"status": "{status}"})]


def prepare(url: str, count: int) -> None:
    """`count` demo tickets, open ones under a 24/7 policy, and the learned model trained (the desk's state
    as `make bench` measures it)."""
    if url.startswith("postgresql"):
        load.build(url, count)
    else:
        load.migrate(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": CHAIN})
    with app.app_context():
        if not url.startswith("postgresql"):
            db.session.execute(sa.insert(Ticket), list(demo_tickets(count, days=730, seed=42)))
        db.session.add(SlaPolicy(name="Bench standard", position=0, match={}, first_response_minutes=240,
                                 resolution_minutes=2880, updated_by="bench"))
        db.session.execute(sa.update(Ticket).where(Ticket.id == count // 2).values(status="open"))
        db.session.commit()
        learned_model()
        db.engine.dispose()


def measure(binary: str, url: str, targets: list[Endpoint], seconds: int, rounds: int, port: int) -> dict:
    """p50 and requests/s of each operation on the desk (a write token, sent as an API client sends it) and
    on the floor. Both are served at once and measured in turn, `rounds` times per operation; each figure
    is the round with the median p50, so a machine that drifts slower or faster moves both sides alike."""
    token = {"Authorization": load.credentials(url, SECRET_KEY)["Authorization"]}
    servers = [start_gunicorn(url, port), start_floor(url, port + 1)]
    sides = {"desk": (f"http://127.0.0.1:{port}", token), "floor": (f"http://127.0.0.1:{port + 1}", {})}
    runs = {}
    try:
        for endpoint in targets:
            samples = {side: [] for side in sides}
            for side, (base, auth) in sides.items():
                wrk(binary, base, endpoint, 1, 2, auth)  # warm-up
            for _ in range(rounds):
                for side, (base, auth) in sides.items():
                    samples[side].append(wrk(binary, base, endpoint, 1, seconds, auth))
            for side, results in samples.items():
                runs[side, endpoint.name] = median_round(results)
                print(f"{side} {endpoint.name}: {runs[side, endpoint.name]['p50_us'] / 1000:.2f} ms", flush=True)
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
    return runs


def median_round(results: list[dict]) -> dict:
    """The round with the median p50, and the errors of every round."""
    chosen = dict(sorted(results, key=lambda run: run["p50_us"])[len(results) // 2])
    chosen["errors"] = sum(run["errors"] for run in results)
    return chosen


def mail_rates(url: str, each: int) -> dict[str, float]:
    """New mails and replies a second: one after another through `ingest`, each mail its own transaction (the
    MTA's pipe takes a mail so), and in batches through `ingest_all` (as an IMAP fetch takes them: the next
    ones read while one is written, up to 16 committed together). A reply answers a desk reply's Message-ID
    on an open ticket."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": CHAIN,
                      "SECRET_KEY": SECRET_KEY, "JOB_BROKER_URL": "memory://",
                      "MAIL_FROM": "Support <support@bench.example>"})
    rates = {}
    with app.app_context():
        targets = list(db.session.scalars(sa.select(Ticket.id).where(
            Ticket.status.in_(("open", "in_progress")), Ticket.created_by.is_(None)).order_by(Ticket.id).limit(2 * each)))
        db.session.execute(sa.insert(Message), [
            {"ticket_id": t, "kind": "reply", "body": BODY, "author": "bench@example.com", "created_at": utcnow(),
             "delivery_state": "sent", "delivery_attempts": 1, "mail_message_id": desk_id(t)} for t in targets])
        db.session.commit()
        tag = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        ingest(new_mail(-1, tag + "warm"))  # the classifiers' models and the reading children started first
        for way, take, answering in (("one by one", lambda mails: [ingest(raw) for raw in mails], targets[:each]),
                                     ("in batches", lambda mails: list(ingest_all((raw, None) for raw in mails)),
                                      targets[each:])):
            started = time.perf_counter()
            created = [outcome.said for outcome in take(new_mail(i, f"{tag}{way}") for i in range(each))]
            rates["new", way] = each / (time.perf_counter() - started)
            started = time.perf_counter()
            added = [outcome.said for outcome in take(reply_mail(i, t, f"{tag}{way}") for i, t in enumerate(answering))]
            rates["reply", way] = len(answering) / (time.perf_counter() - started)
            assert all(said.startswith("created ticket #") for said in created), created[:3]
            assert added == [f"added to ticket #{t}" for t in answering], added[:3]
        db.engine.dispose()
    return rates


def render(results: dict, mails: dict, count: int, seconds: int, rounds: int) -> str:
    lines = [f"# Desk ÷ floor at {count:,} tickets, on PostgreSQL and SQLite", "",
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · gunicorn with the desk's "
             f"worker model for both, served at once · wrk, one connection, desk and floor in turn, {rounds} rounds of "
             f"{seconds} s per operation after 2 s of warm-up, the median round · the desk called with a bearer token "
             "· the floor is bench/floor.py, a minimal Flask + SQLAlchemy app on the same database", "",
             "| database | operation | desk p50 ms | floor p50 ms | desk ÷ floor | desk req/s | floor req/s |",
             "|---|---|--:|--:|--:|--:|--:|"]
    for database, runs in results.items():
        for name in dict.fromkeys(name for _, name in runs):
            desk, floor = runs["desk", name], runs["floor", name]
            lines.append(f"| {database} | {name} | {desk['p50_us'] / 1000:.2f} | {floor['p50_us'] / 1000:.2f} | "
                         f"{desk['p50_us'] / floor['p50_us']:.2f}× | {desk['rps']:,.0f} | {floor['rps']:,.0f} |")
        ratios = [runs["desk", name]["p50_us"] / runs["floor", name]["p50_us"] for name in dict.fromkeys(
            name for _, name in runs)]
        lines.append(f"| {database} | geometric mean | | | {statistics.geometric_mean(ratios):.2f}× | | |")
    lines += ["", f"## Mail in at {count:,} tickets", "",
              "One process: one by one through `ingest` (the MTA's pipe), each mail its own transaction, committed "
              "before the next; and in batches through `ingest_all` (an IMAP fetch's batches: the next mails are "
              "read in the child processes while one is written, and up to 16 are committed together).", "",
              "| database | way | new mail → a triaged ticket | reply → a customer message |", "|---|---|--:|--:|"]
    for database, rates in mails.items():
        for way in ("one by one", "in batches"):
            new, reply = rates["new", way], rates["reply", way]
            lines.append(f"| {database} | {way} | {new:,.0f} mails/s ({1000 / new:.2f} ms) | "
                         f"{reply:,.0f} mails/s ({1000 / reply:.2f} ms) |")
    return "\n".join(lines) + "\n"


def main() -> int:
    count = setting("BENCH_RATIO_TICKETS", 10_000)
    seconds = setting("BENCH_RATIO_SECONDS", 3)
    rounds = setting("BENCH_RATIO_ROUNDS", 3)
    port = setting("BENCH_PORT", 8765) + 2
    binary = ensure_wrk()
    RESULTS.mkdir(exist_ok=True)
    each = setting("BENCH_RATIO_MAILS", 500)
    results, mails = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for database, url in (
                ("PostgreSQL", database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_ratio",
                                            "BENCH_RATIO_DATABASE_URL")),
                ("SQLite", f"sqlite:///{Path(folder) / 'ratio.db'}")):
            print(f"{database}: {count:,} tickets", flush=True)
            prepare(url, count)
            results[database] = measure(binary, url, operations(count), seconds, rounds, port)
            mails[database] = mail_rates(url, each)
            print(f"{database} mail in: {mails[database]}", flush=True)
    report = render(results, mails, count, seconds, rounds)
    (RESULTS / "ratios.md").write_text(report)
    print(report)
    failed = {f"{database} {side} {name}": run for database, runs in results.items()
              for (side, name), run in runs.items() if run["errors"]}
    if failed:
        print(f"FAILED requests: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
