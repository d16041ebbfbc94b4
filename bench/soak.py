"""`make soak`: 32 clients for 60 s against gunicorn and PostgreSQL on 127.0.0.1, mixing creates,
filtered lists, searches, patches (half of them with If-Match), stats, classify calls, and replies and
notes (half the tickets come from one of 50 requesters). Then it checks that nothing was lost: every ticket
answered 201 exists with what was sent, every acknowledged patch is visible (the newest acknowledged
version of each ticket is what the database holds), every acknowledged reply and note is stored on its
ticket, and stats equal a direct count. Writes bench/results/soak.md; exits 1 on any error or lost write.

Settings: SOAK_CLIENTS (32), SOAK_SECONDS (60), SOAK_MAX_REQUESTS (200000), SOAK_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/ticketdesk_soak, dropped and recreated).
"""
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone

import sqlalchemy as sa

from config import database_url

from .run import RESULTS, serve_empty_database, setting

ACTIONS = [("create", 30), ("list", 20), ("search", 10), ("patch", 20), ("stats", 10), ("classify", 10),
           ("message", 15)]
CATEGORIES = ("billing", "technical", "account", "general")
PRIORITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "in_progress", "resolved", "closed")
WORDS = ("refund", "password", "export", "crash", "invoice", "login", "slow", "Zanzibar")


class Ledger:
    """What the server acknowledged, to be checked against the database afterwards."""

    def __init__(self):
        self.lock = threading.Lock()
        self.created: dict[int, dict] = {}  # id -> body sent
        self.patched: dict[int, dict] = {}  # id -> response body of the newest acknowledged version
        self.versions: dict[int, int] = {}
        self.with_requester: set[int] = set()  # tickets a reply may go to
        self.messages: dict[int, tuple] = {}  # message id -> (ticket id, kind, body sent)
        self.latency = defaultdict(list)
        self.statuses = Counter()
        self.errors: list[str] = []
        self.requests = 0

    def ids(self) -> list[int]:
        with self.lock:
            return list(self.created)


class Client(threading.Thread):
    def __init__(self, n: int, port: int, ledger: Ledger, deadline: float, budget: threading.Semaphore, token: str):
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.port, self.ledger, self.deadline, self.budget = port, ledger, deadline, budget
        self.authorization = f"Bearer {token}"
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.n = n

    def call(self, action: str, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {**({"Content-Type": "application/json"} if data else {}), "Authorization": self.authorization,
                   **(headers or {})}
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.ledger.lock:
                self.ledger.errors.append(f"{action}: {type(e).__name__}")
                self.ledger.requests += 1
            return None, None, {}
        elapsed = time.perf_counter() - started
        with self.ledger.lock:
            self.ledger.requests += 1
            self.ledger.latency[action].append(elapsed)
            self.ledger.statuses[response.status] += 1
        return response.status, (json.loads(payload) if payload else None), dict(response.getheaders())

    def expect(self, action: str, status, allowed: tuple[int, ...]) -> bool:
        if status in allowed:
            return True
        if status is not None:
            with self.ledger.lock:
                self.ledger.errors.append(f"{action}: HTTP {status}")
        return False

    def run(self):
        names, weights = zip(*ACTIONS)
        while time.monotonic() < self.deadline and self.budget.acquire(blocking=False):
            getattr(self, self.rng.choices(names, weights)[0])()

    def create(self):
        body = {"title": f"Soak {self.n}-{self.rng.randrange(10**9)} {self.rng.choice(WORDS)}",
                "description": f"Client {self.n} says: {' '.join(self.rng.choices(WORDS, k=8))} ünïcode ✓",
                "category": self.rng.choice(CATEGORIES), "priority": self.rng.choice(PRIORITIES)}
        if self.rng.random() < 0.5:  # from one of 50 customers, so that requesters are found as often as made
            body["requester"] = {"email": f"customer{self.rng.randint(1, 50)}@example.com"}
        status, answer, _ = self.call("create", "POST", "/api/tickets/", body)
        if self.expect("create", status, (201,)):
            with self.ledger.lock:
                self.ledger.created[answer["id"]] = body
                self.ledger.versions.setdefault(answer["id"], 1)
                if "requester" in body:
                    self.ledger.with_requester.add(answer["id"])

    def list(self):
        query = "&".join(f"{k}={self.rng.choice(v)}" for k, v in (("status", STATUSES), ("priority", PRIORITIES))
                         if self.rng.random() < 0.5)
        status, _, _ = self.call("list", "GET", f"/api/tickets/?{query}&limit=25")
        self.expect("list", status, (200,))

    def search(self):
        status, _, _ = self.call("search", "GET", f"/api/tickets/?search={self.rng.choice(WORDS)}&limit=25")
        self.expect("search", status, (200,))

    def patch(self):
        ids = self.ledger.ids()
        if not ids:
            return self.create()
        ticket_id = self.rng.choice(ids[-200:])  # recent tickets, so that clients collide on them
        change = self.rng.choice([{"status": self.rng.choice(STATUSES)}, {"priority": self.rng.choice(PRIORITIES)}])
        headers = {}
        if self.rng.random() < 0.5:
            with self.ledger.lock:
                headers["If-Match"] = f'"v{self.ledger.versions[ticket_id]}"'
        status, answer, response_headers = self.call("patch", "PATCH", f"/api/tickets/{ticket_id}/", change, headers)
        if status == 412:
            return  # someone else changed it first: refused, not lost
        if self.expect("patch", status, (200,)):
            version = int(response_headers["ETag"].strip('"')[1:])
            with self.ledger.lock:  # versions only grow: the highest acknowledged one is the ticket's state
                if version >= self.ledger.versions.get(ticket_id, 0):
                    self.ledger.versions[ticket_id] = version
                    self.ledger.patched[ticket_id] = answer

    def stats(self):
        status, _, _ = self.call("stats", "GET", "/api/tickets/stats/")
        self.expect("stats", status, (200,))

    def message(self):
        ids = self.ledger.ids()
        if not ids:
            return self.create()
        ticket_id = self.rng.choice(ids[-200:])
        with self.ledger.lock:
            kind = "reply" if ticket_id in self.ledger.with_requester and self.rng.random() < 0.5 else "note"
        body = {"kind": kind, "body": f"{kind} from client {self.n}: {' '.join(self.rng.choices(WORDS, k=8))}"}
        status, answer, _ = self.call("message", "POST", f"/api/tickets/{ticket_id}/messages/", body)
        if self.expect("message", status, (201,)):
            with self.ledger.lock:
                self.ledger.messages[answer["id"]] = (ticket_id, kind, body["body"])

    def classify(self):
        status, _, _ = self.call("classify", "POST", "/api/tickets/classify/",
                                 {"description": " ".join(self.rng.choices(WORDS, k=6))})
        self.expect("classify", status, (200,))


def verify(url: str, ledger: Ledger) -> dict:
    """Lost writes: acknowledged creates or patches the database does not show; and stats vs a count."""
    engine = sa.create_engine(url)
    lost = []
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.text(
            "SELECT id, title, description, category, priority, status, version FROM tickets"))}
        for ticket_id, sent in ledger.created.items():
            row = rows.get(ticket_id)
            if row is None or (row.title, row.description, row.category) != (
                    sent["title"], sent["description"], sent["category"]):
                lost.append(f"create {ticket_id}")
                continue
            newest = ledger.patched.get(ticket_id)
            expected = ((ledger.versions[ticket_id], newest["status"], newest["priority"]) if newest
                        else (1, "open", sent["priority"]))
            if (row.version, row.status, row.priority) != expected:
                lost.append(f"ticket {ticket_id}: database {row.version, row.status, row.priority}, "
                            f"acknowledged {expected}")
        stored = {r.id: (r.ticket_id, r.kind, r.body) for r in conn.execute(sa.text(
            "SELECT id, ticket_id, kind, body FROM messages"))}
        lost += [f"message {message_id}" for message_id, sent in ledger.messages.items()
                 if stored.get(message_id) != sent]
        counted = conn.execute(sa.text(
            "SELECT count(*), count(*) FILTER (WHERE status = 'open') FROM tickets")).one()
    engine.dispose()
    return {"lost": lost, "rows": len(rows), "counted_total": counted[0], "counted_open": counted[1]}


def main() -> int:
    clients = setting("SOAK_CLIENTS", 32)
    seconds = setting("SOAK_SECONDS", 60)
    max_requests = setting("SOAK_MAX_REQUESTS", 200_000)
    port = setting("SOAK_PORT", 8766)
    url = database_url("postgresql://postgres@127.0.0.1:5432/ticketdesk_soak", "SOAK_DATABASE_URL")
    server, headers = serve_empty_database(url, port)
    ledger = Ledger()
    try:
        deadline = time.monotonic() + seconds
        budget = threading.Semaphore(max_requests)
        token = headers["Authorization"].removeprefix("Bearer ")
        threads = [Client(n, port, ledger, deadline, budget, token) for n in range(clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        elapsed = time.monotonic() - started
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/tickets/stats/", headers={"Authorization": threads[0].authorization})
        stats = json.loads(conn.getresponse().read())
    finally:
        server.terminate()
        server.wait(30)
    check = verify(url, ledger)
    stats_match = (stats["total_tickets"], stats["open_tickets"]) == (check["counted_total"], check["counted_open"])
    report = render(ledger, check, stats, stats_match, clients=clients, elapsed=elapsed)
    (RESULTS / "soak.md").write_text(report)
    print(report)
    return 0 if not ledger.errors and not check["lost"] and stats_match else 1


def render(ledger, check, stats, stats_match, *, clients, elapsed) -> str:
    every = sorted(t for times in ledger.latency.values() for t in times)

    def pct(values, p):
        return values[min(len(values) - 1, int(len(values) * p))] * 1000 if values else 0

    lines = [
        f"# Soak: {clients} clients for {elapsed:.0f} s",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC · gunicorn (`gunicorn.conf.py`, production) and "
        f"PostgreSQL on 127.0.0.1 · {os.cpu_count()} cores",
        "",
        f"- requests served: **{ledger.requests:,}** ({ledger.requests / elapsed:,.0f}/s); "
        f"statuses {dict(sorted(ledger.statuses.items()))}",
        f"- errors: **{len(ledger.errors)}**" + (f" ({Counter(ledger.errors).most_common(5)})" if ledger.errors else ""),
        f"- latency over all requests: p50 {pct(every, 0.5):.1f} ms, p99 **{pct(every, 0.99):.1f} ms**",
        f"- tickets acknowledged (201): {len(ledger.created):,}; rows in the database: {check['rows']:,}",
        f"- tickets with acknowledged patches: {len(ledger.patched):,}",
        f"- replies and notes acknowledged (201): {len(ledger.messages):,} "
        f"({sum(kind == 'reply' for _, kind, _ in ledger.messages.values()):,} replies), each checked in the database",
        f"- lost writes: **{len(check['lost'])}**" + (f" (e.g. {check['lost'][:5]})" if check["lost"] else ""),
        f"- stats after the run: total {stats['total_tickets']:,}, open {stats['open_tickets']:,}; direct count: "
        f"{check['counted_total']:,}, {check['counted_open']:,} ({'equal' if stats_match else 'DIFFERENT'})",
        "",
        "| action | requests | p50 ms | p99 ms |",
        "|---|--:|--:|--:|",
        *(f"| {action} | {len(times):,} | {statistics.median(times) * 1000:.1f} | {pct(sorted(times), 0.99):.1f} |"
          for action, times in sorted(ledger.latency.items())),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
