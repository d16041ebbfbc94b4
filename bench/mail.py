"""`make bench`, mail in: how fast mail becomes tickets and messages, at 1,000,000 tickets on PostgreSQL.
Writes bench/results/mail.md.

- `ingest` in one process: new mails (each a ticket, triaged on arrival by the learned and keyword
  classifiers) and replies (each matched to its ticket by the Message-ID of a desk reply it answers), one by
  one (the pipe's way) and in batches through `ingest_all` (the IMAP fetch's way).
- IMAP: BENCH_MAIL_IMAP (2,000) mails fetched from a real Dovecot on 127.0.0.1 by `fetch`, each taken in and
  marked seen.
- Matching one reply: the lookups by Message-ID, with EXPLAIN ANALYZE, against one desk reply per ticket
  (1,000,000 Message-IDs), and the whole match in Python.

The tables mail touches are vacuumed (as autovacuum would) and read into the operating system's cache first
(pg_prewarm), so a maintained, warm desk is measured.

Settings: BENCH_TICKETS (1000000), BENCH_DATABASE_URL (as `make bench`), BENCH_MAIL_INGEST (1000 of each kind),
BENCH_MAIL_IMAP (2000). The database is loaded if it holds fewer tickets; the desk replies are added once.
"""
import hashlib
import os
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from email.message import EmailMessage

import sqlalchemy as sa

from config import ROOT, database_url
from tests.fixtures.imapserver import ImapServer
from ticketdesk import create_app
from ticketdesk.extensions import db
from ticketdesk.mail_in.imap import fetch
from ticketdesk.mail_in.intake import answered_ticket, ingest, ingest_all
from ticketdesk.mail_in.reading import read

from . import load
from .run import CHAIN, learned_model, loaded_count, setting

RESULTS = ROOT / "bench" / "results"
BODY = "bench desk reply"
DESK_IDS = f"""
INSERT INTO messages (ticket_id, kind, body, author, created_at, delivery_state, delivery_attempts, mail_message_id)
SELECT id, 'reply', '{BODY}', 'bench@example.com', created_at, 'sent', 1,
       '<ticket.' || id || '.' || substr(md5(id::text), 1, 24) || '@bench.example>'
FROM tickets WHERE id <= :last
"""


def desk_id(ticket_id: int) -> str:
    """The Message-ID DESK_IDS gave the bench's reply on `ticket_id`."""
    return f"<ticket.{ticket_id}.{hashlib.md5(str(ticket_id).encode()).hexdigest()[:24]}@bench.example>"


def new_mail(i: int, tag: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {i} <customer{i % 5000}@example.org>"
    mail["To"] = "support@bench.example"
    mail["Subject"] = random.choice(["Invoice charged twice", "Cannot sign in after reset", "App crashes on upload",
                                     "Please close my account", "Question about the API limits"])
    mail["Message-ID"] = f"<bench-{tag}-{i}@example.org>"
    mail.set_content("Hello,\n\nmy card was charged twice for the December invoice and the app shows an error "
                     "500 when I open the billing page. Could you look into it?\n\nThanks,\nA customer\n")
    return mail.as_bytes()


def reply_mail(i: int, ticket_id: int, tag: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {i} <someone{i}@example.org>"
    mail["To"] = "support@bench.example"
    mail["Subject"] = f"Re: your request [#{ticket_id}]"
    mail["Message-ID"] = f"<bench-reply-{tag}-{i}@example.org>"
    mail["In-Reply-To"] = desk_id(ticket_id)
    mail["References"] = f"<earlier-{i}@example.org> {desk_id(ticket_id)}"
    mail.set_content("Thanks, that fixed it.\n\nOn Tue, 1 Dec 2026, Support wrote:\n> Please try again now.\n> \n")
    return mail.as_bytes()


WARMED = ("tickets", "messages", "incoming_mails", "requesters", "ticket_counts")  # what taking mail touches


def warm(tables: tuple[str, ...]) -> str:
    """Read these tables and their indexes once (pg_prewarm into the operating system's cache), so the run
    measures a desk whose data is in memory, as a busy desk's is, not one whose pages the host reclaimed
    while it sat idle (a cold random read made a reply's UPDATE 3 ms instead of 0.9)."""
    started = time.perf_counter()
    db.session.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))  # the bench database's, not the desk's
    pages = db.session.execute(sa.text(
        "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c WHERE c.oid = ANY(CAST(:tables AS regclass[])) "
        "OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(CAST(:tables AS regclass[])))"),
        {"tables": list(tables)}).scalar()
    db.session.commit()
    return f"{pages * 8 / 1024:,.0f} MB of {', '.join(tables)} and their indexes read first ({time.perf_counter() - started:.0f} s)"


def vacuum(tables: tuple[str, ...]) -> str:
    """VACUUM (ANALYZE) these tables, as autovacuum keeps a production desk's: each run deletes what it added,
    and on a server with autovacuum off (this project's CI machine has it off) the dead rows piled up run after
    run (85,000 dead mails behind 420 live ones made the duplicate check 60 % slower)."""
    started = time.perf_counter()
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        autovacuum = connection.execute(sa.text("SHOW autovacuum")).scalar()
        connection.execute(sa.text(f"VACUUM (ANALYZE) {', '.join(tables)}"))
    return f"vacuumed first ({time.perf_counter() - started:.0f} s; the server's autovacuum is {autovacuum})"


def per_second(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f} mails/s ({seconds * 1000 / count:.2f} ms each)"


def main() -> int:
    count = setting("BENCH_TICKETS", 1_000_000)
    each = setting("BENCH_MAIL_INGEST", 1000)
    over_imap = setting("BENCH_MAIL_IMAP", 2000)
    url = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_bench", "BENCH_DATABASE_URL")
    RESULTS.mkdir(exist_ok=True)
    if (loaded_count(url) or 0) < count:
        print(f"loading {count:,} tickets into {url} ...", flush=True)
        load.build(url, count)
    load.migrate(url)
    tag = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "AUTO_MIGRATE": False, "TICKETDESK_CLASSIFIER": CHAIN,
                      "SECRET_KEY": "bench-mail-secret-0123456789", "JOB_BROKER_URL": "memory://",
                      "MAIL_FROM": "Support <support@bench.example>"})
    with app.app_context():
        total = db.session.scalar(sa.text("SELECT count(*) FROM tickets"))
        last = db.session.scalar(sa.text("SELECT max(id) FROM tickets WHERE created_by IS NULL"))
        if not db.session.scalar(sa.text("SELECT count(*) FROM messages WHERE body = :b"), {"b": BODY}):
            started = time.perf_counter()
            db.session.execute(sa.text(DESK_IDS), {"last": last})
            db.session.commit()
            db.session.execute(sa.text("ANALYZE messages"))
            db.session.commit()
            print(f"added a desk reply with its Message-ID to each of {last:,} tickets in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        replies = db.session.scalar(sa.text("SELECT count(*) FROM messages WHERE mail_message_id IS NOT NULL"))
        print(learned_model(), flush=True)
        pg_version = db.session.execute(sa.text("SHOW server_version")).scalar()
        vacuumed = vacuum(WARMED)
        warmed = warm(WARMED)

        # 1. ingest, in one process
        ingest(new_mail(-1, tag + "warm"))  # the classifiers' models loaded before the clock starts
        started = time.perf_counter()
        outcomes = [ingest(new_mail(i, tag)).said for i in range(each)]
        new_seconds = time.perf_counter() - started
        assert all(o.startswith("created ticket #") for o in outcomes), outcomes[:3]
        targets = list(db.session.scalars(sa.text(  # tickets a reply adds to (a closed one's would start a new one)
            "SELECT id FROM tickets WHERE status IN ('open', 'in_progress') AND id <= :last ORDER BY random() LIMIT :n"),
            {"last": last, "n": 2 * each}))
        started = time.perf_counter()
        outcomes = [ingest(reply_mail(i, t, tag)).said for i, t in enumerate(targets[:each])]
        reply_seconds = time.perf_counter() - started
        assert outcomes == [f"added to ticket #{t}" for t in targets[:each]], outcomes[:3]
        # the same, in batches as an IMAP fetch takes them: the next mails read while one is written
        started = time.perf_counter()
        outcomes = [o.said for o in ingest_all((new_mail(i, tag + "batch"), None) for i in range(each))]
        batch_new_seconds = time.perf_counter() - started
        assert all(o.startswith("created ticket #") for o in outcomes), outcomes[:3]
        started = time.perf_counter()
        outcomes = [o.said for o in ingest_all((reply_mail(i, t, tag + "batch"), None) for i, t in enumerate(targets[each:]))]
        batch_reply_seconds = time.perf_counter() - started
        assert outcomes == [f"added to ticket #{t}" for t in targets[each:]], outcomes[:3]
        duplicate_started = time.perf_counter()
        assert all(ingest(new_mail(i, tag)).said.startswith("duplicate of") for i in range(each))
        duplicate_seconds = time.perf_counter() - duplicate_started

        # 3. matching one reply at this size: the plans, and the whole match
        ids = [desk_id(targets[0]), "<earlier-0@example.org>"]
        plans = []
        for name, statement in (
                ("the desk's Message-IDs", "SELECT mail_message_id, ticket_id, kind FROM messages "
                                           "WHERE mail_message_id IN (:a, :b)"),
                ("the requester's own earlier mails", "SELECT ticket_id FROM incoming_mails "
                                                      "WHERE mail_message_id IN (:a, :b) AND ticket_id IS NOT NULL")):
            plan = db.session.execute(sa.text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}"), {"a": ids[0], "b": ids[1]})
            plans.append((name, statement, [row[0] for row in plan]))
        db.session.rollback()
        mail = read(reply_mail(0, targets[0], tag + "match"), 10_000_000)
        times = []
        for _ in range(500):
            started = time.perf_counter()
            assert answered_ticket(mail).id == targets[0]
            times.append(time.perf_counter() - started)
            db.session.rollback()
        match_ms = statistics.median(times) * 1000

    # 2. IMAP: a real Dovecot, 2,000 unseen mails
    server = ImapServer().start()
    try:
        started = time.perf_counter()
        server.deliver(*(new_mail(i, tag + "imap") for i in range(over_imap)))
        append_seconds = time.perf_counter() - started
        with app.app_context():
            started = time.perf_counter()
            fetched = fetch(server.url())
            imap_seconds = time.perf_counter() - started
        assert len(fetched.outcomes) == over_imap, fetched.summary()
        seen = sum(b"\\Seen" in flags for flags in server.flags())
    finally:
        server.stop()
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM messages WHERE posted_by = 'mail'"))  # what this run added
        db.session.execute(sa.text("DELETE FROM tickets WHERE created_by = 'mail'"))
        db.session.execute(sa.text("DELETE FROM incoming_mails"))
        db.session.commit()
        db.engine.dispose()

    lines = [
        f"# Mail in at {total:,} tickets",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · {os.cpu_count()} cores · PostgreSQL {pg_version} on the "
        f"same machine · one process; `ingest` commits each mail before the next, `ingest_all` up to 16 together · "
        f"{replies:,} desk Message-IDs to match against · {vacuumed} · {warmed}",
        "",
        "| what | mails | throughput |",
        "|---|--:|--:|",
        f"| `ingest`: a new mail → a ticket with its requester, triaged by {CHAIN} | {each:,} | {per_second(each, new_seconds)} |",
        f"| `ingest`: a reply → a customer message on its ticket (matched by In-Reply-To; quotes stripped) | {each:,} | {per_second(each, reply_seconds)} |",
        f"| `ingest_all`, in batches (an IMAP fetch's way): new mails | {each:,} | {per_second(each, batch_new_seconds)} |",
        f"| `ingest_all`, in batches: replies | {each:,} | {per_second(each, batch_reply_seconds)} |",
        f"| `ingest`: the same mail again → a duplicate | {each:,} | {per_second(each, duplicate_seconds)} |",
        f"| IMAP `fetch` from Dovecot on 127.0.0.1: download, take in, mark seen ({seen:,} seen after) | {over_imap:,} | {per_second(over_imap, imap_seconds)} |",
        "",
        f"Putting the {over_imap:,} mails into Dovecot (IMAP APPEND, not part of the figure) took {append_seconds:.1f} s.",
        "",
        f"## Matching one reply at {total:,} tickets",
        "",
        f"The whole match (`intake.answered_ticket`: both lookups, then the ticket by its key), median of 500: "
        f"**{match_ms:.2f} ms**.",
        "",
    ]
    for name, statement, plan in plans:
        lines += [f"### {name}", "", "```sql", statement, "```", "", "```", *plan, "```", ""]
    report = "\n".join(lines)
    (RESULTS / "mail.md").write_text(report)
    print(report)
    uses_index = all("Index" in "\n".join(plan) and "Seq Scan" not in "\n".join(plan) for _, _, plan in plans)
    if not uses_index:
        print("FAILED: a reply's lookup does not use an index", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
