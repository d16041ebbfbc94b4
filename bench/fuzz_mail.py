"""`make fuzz`, mail in: mails mutated at random from the suite's real-format mails (tests/fixtures/mail/) and the
hostile ones (tests/fixtures/hostile.py) — headers repeated and folded, parameters and parts multiplied, trees nested,
names with control characters, bytes cut or flipped — each through `ingest` on a new PostgreSQL database,
then its page. Every mail must come back with an outcome within 5 s, be kept (bytes as sent, or cut at the
size limit), and its page must answer 200. Writes bench/results/fuzz-mail.md; exits non-zero on any failure.

Settings: FUZZ_MAIL_SECONDS (60, the time budget), FUZZ_SEED (random),
FUZZ_MAIL_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/ticketdesk_fuzz_mail, emptied here)."""
import os
import random
import sys
import time
import traceback
from collections import Counter
from datetime import datetime, timezone

import flask_migrate

from config import ROOT, database_url
from tests.conftest import add_agent, make_app, reset_schema, sign_in
from tests.fixtures import hostile
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest
from ticketdesk.models import IncomingMail, User

from .run import RESULTS, setting

SEEDS = sorted((ROOT / "tests" / "fixtures" / "mail").glob("*.eml"))
ANSWER_SECONDS = 5.0


def _header_end(raw: bytes) -> int:
    found = raw.find(b"\n\n")
    return found if found >= 0 else len(raw)


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """One to four random changes an attacker (or a broken mail program) might make."""
    for _ in range(rng.randint(1, 4)):
        choice = rng.randrange(9)
        head = _header_end(raw)
        if choice == 0:  # many parameters on the first Content-Type
            params = b"".join(b'; p%d="%s"' % (i, b"v" * rng.randint(0, 30)) for i in range(rng.choice((5, 99, 150, 3000))))
            raw = raw.replace(b"Content-Type: ", b"Content-Type: text/plain" + params + b"\r\nX-Was: ", 1)
        elif choice == 1:  # a header repeated or folded very long
            line = b"X-Repeat: " + b"a" * rng.randint(1, 200) + b"\r\n"
            raw = line * rng.choice((10, 1000, 5000)) + raw
        elif choice == 2:  # a display name with control characters and an injection
            name = rng.choice([b"=?utf-8?q?Eve=0D=0ABcc=3A_v=40evil=2Etest?=", b"Eve\x01\x7f", b"\xe2\x80\xae evil",
                               b'"Eve\\r\\nBcc: x@evil.test"'])
            raw = raw.replace(b"From: ", b"From: " + name + b" <", 1).replace(b"\nTo:", b">\nTo:", 1) \
                if rng.random() < 0.5 else b"From: " + name + b" <eve@evil.test>\r\n" + raw
        elif choice == 3:  # cut anywhere
            raw = raw[:rng.randint(0, len(raw))]
        elif choice == 4:  # flip bytes
            data = bytearray(raw)
            for _ in range(rng.randint(1, 50)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            raw = bytes(data)
        elif choice == 5:  # nest the body in multiparts
            levels = rng.choice((2, 19, 25, 400))
            raw = raw[:head] + b"\r\n\r\n" + hostile.deep(levels).split(b"\r\n\r\n", 1)[1]
        elif choice == 6:  # many parts
            raw = hostile.many_parts(rng.choice((10, 499, 501, 3000)))
        elif choice == 7:  # reply headers and quotes in the body
            raw = raw + (b"\r\nOn Mon, 1 Dec 2026 at 10:00, X <x@y.z> wrote:\r\n> " + b"On " * rng.randint(1, 500)) \
                * rng.choice((1, 100, 2000))
        else:  # a header block over the limit
            raw = b"X-Big: " + b"b" * (300 * 1024) + b"\r\n" + raw
    return raw


def main() -> int:
    seconds = setting("FUZZ_MAIL_SECONDS", 60)
    seed = int(os.environ.get("FUZZ_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    url = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_fuzz_mail", "FUZZ_MAIL_DATABASE_URL")
    _create_database(url)
    app = make_app(url, TICKETDESK_AUTH="required")
    with app.app_context():
        reset_schema(db.engine)
        flask_migrate.upgrade()
    admin = app.test_client()
    user_id = add_agent(app, "fuzz@example.com")
    with app.app_context():
        db.session.get(User, user_id).role = "admin"
        db.session.commit()
    sign_in(admin, user_id)
    seeds = [path.read_bytes() for path in SEEDS] + [make() for make in hostile.ALL.values()]
    failures, outcomes, slowest, tried = [], Counter(), 0.0, 0
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        raw = mutate(rng.choice(seeds), rng)
        if rng.random() < 0.8:  # most as new mails (a Message-ID of their own), the rest as copies
            raw = b"Message-ID: <fuzz-%d-%d@fuzz.test>\r\n" % (seed, tried) + raw
        tried += 1
        try:
            began = time.perf_counter()
            with app.app_context():
                outcome = ingest(raw)
                took = time.perf_counter() - began
                kept = db.session.get(IncomingMail, outcome.mail_id) if outcome.mail_id else None
                stored = kept.raw if kept is not None else None
            slowest = max(slowest, took)
            outcomes[outcome.kind] += 1
            problem = None
            if took > ANSWER_SECONDS:
                problem = f"took {took:.1f} s"
            elif kept is None:
                problem = f"no mail kept ({outcome.said[:80]})"
            elif outcome.kind != "duplicate" and stored != raw[:len(stored)]:
                problem = "the kept bytes are not the mail's"
            else:
                page = admin.get(f"/mail/{outcome.mail_id}")
                if page.status_code != 200:
                    problem = f"its page answered {page.status_code}"
        except Exception:
            problem = traceback.format_exc()[-1200:]  # the innermost frames say where
        if problem:
            failures.append((len(raw), problem))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    lines = [f"# Fuzz, mail in: {tried:,} mutated mails in {seconds} s", "",
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · seed {seed} · PostgreSQL · slowest answer "
             f"{slowest:.2f} s (limit {ANSWER_SECONDS:g} s)", "",
             "Outcomes: " + ", ".join(f"{kind} {n:,}" for kind, n in outcomes.most_common()), "",
             f"Failures: {len(failures)}"]
    lines += [f"- {size:,} bytes:\n\n```\n{problem.strip()}\n```" for size, problem in failures[:20]]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fuzz-mail.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 1 if failures else 0


def _create_database(url: str) -> None:
    import sqlalchemy as sa
    server = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with server.connect() as connection:
        if not connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    server.dispose()


if __name__ == "__main__":
    sys.exit(main())
