"""What the benchmark measures: each endpoint as a request, and the SQL the app runs to answer it
(captured from the app itself, so the floors and the plan checks look at the real statements)."""
import json
from dataclasses import dataclass

import sqlalchemy as sa

from ticketdesk.conversations.requesters import find_or_add
from ticketdesk.extensions import db
from ticketdesk.models import Message, Ticket, utcnow
from ticketdesk.tickets.queries import Cursor, encode_cursor

from .load import COMMON_WORD, RARE_WORD

NEW_TICKET = {"title": "Cannot export report {n}", "description": "Export to CSV fails with error 500 since "
              "the update; run {n}. The finance team needs the data today.", "category": "technical",
              "priority": "high"}
CLASSIFY = {"description": "I was charged twice for my subscription this month, please refund {n}"}
REPLY = {"kind": "reply", "body": "We have re-sent the tracking link for order {n}; it should arrive today."}


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    body: dict | None = None
    uses_database: bool = True
    # indexes EXPLAIN must show for a GET on PostgreSQL: all of `uses`, and one of `uses_any` if given
    uses: tuple[str, ...] = ()
    uses_any: tuple[str, ...] = ()
    # False where a full-table read is the right plan: a search's capped count stops after 1,001 matches
    plan_checked: bool = True
    # call once before capturing: what the first call does once (a model load) is not the steady state
    warm: bool = False

    @property
    def body_text(self) -> str:
        return json.dumps(self.body) if self.body is not None else ""


def deep_cursor(position: int) -> str:
    """The cursor a client holds after paging `position` tickets into the newest-first list."""
    created_at, ticket_id = db.session.execute(
        sa.select(Ticket.created_at, Ticket.id).order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .offset(position).limit(1)).one()
    return encode_cursor(Cursor(created_at, ticket_id))


def endpoints(total: int) -> list[Endpoint]:
    """Every endpoint the benchmark drives; call inside an app context on the loaded database."""
    cursor = deep_cursor(total // 2)
    thread, replies = conversation_tickets()
    return [
        Endpoint("bare endpoint (/healthz)", "/healthz", uses_database=False),
        # the same nothing behind the access gate: the difference is what checking a token costs
        Endpoint("bare endpoint behind the gate (/api/whoami/, token)", "/api/whoami/", plan_checked=False),
        Endpoint("list, first page (100)", "/api/tickets/", uses=("ix_tickets_created_id",)),
        Endpoint("list, status=open & priority=high", "/api/tickets/?status=open&priority=high",
                 uses_any=("ix_tickets_status_created_id", "ix_tickets_priority_created_id")),
        Endpoint("list, language=de", "/api/tickets/?language=de", uses=("ix_tickets_language_created_id",)),
        Endpoint(f"search, rare word ({RARE_WORD.lower()})", f"/api/tickets/?search={RARE_WORD.lower()}",
                 uses=("ix_tickets_title_trgm", "ix_tickets_description_trgm")),
        # a common word is found sooner by walking the newest-first index than through the trigram index
        Endpoint(f"search, common word ({COMMON_WORD})", f"/api/tickets/?search={COMMON_WORD}",
                 uses_any=("ix_tickets_created_id", "ix_tickets_description_trgm")),
        Endpoint(f"list, deep page (cursor at {total // 2:,})", f"/api/tickets/?cursor={cursor}",
                 uses=("ix_tickets_created_id",)),
        Endpoint("list, oldest first", "/api/tickets/?ordering=created_at", uses=("ix_tickets_created_id",)),
        Endpoint("list, priority order", "/api/tickets/?ordering=priority", uses=("ix_tickets_rank_created_id",)),
        Endpoint("list, status=open in priority order", "/api/tickets/?status=open&ordering=priority",
                 uses=("ix_tickets_status_rank_created_id",)),
        Endpoint("stats", "/api/tickets/stats/", uses=("ix_tickets_created_id",)),
        # the agents' list page: the first 25, and how many match (from the counts, or a capped count)
        Endpoint("page: ticket list with its count", "/", uses=("ix_tickets_created_id",)),
        Endpoint("page: list searched, rare word, with its count", f"/?search={RARE_WORD.lower()}",
                 uses=("ix_tickets_title_trgm", "ix_tickets_description_trgm")),
        Endpoint("page: list searched, common word, count capped at 1,000", f"/?search={COMMON_WORD}",
                 plan_checked=False),
        Endpoint("one ticket", f"/api/tickets/{total // 3}/", uses=("tickets_pkey",)),
        Endpoint("create", "/api/tickets/", "POST", NEW_TICKET),
        # learned answers both fields of this one (the chain is learned,keyword); the suggestion is recorded
        Endpoint("classify (learned)", "/api/tickets/classify/", "POST", CLASSIFY, warm=True),
        Endpoint("page: new-ticket form", "/tickets/new", uses_database=False),
        # a reply is stored and queued for the worker (Redis) in the request; sending it never is the request's work
        Endpoint("post a reply", f"/api/tickets/{replies}/messages/", "POST", REPLY),
        # the ticket, its history and its thread: three indexed reads besides the session
        Endpoint("page: ticket with a 50-message thread", f"/tickets/{thread}", plan_checked=False),
    ]


def capture_sql(app, endpoint: Endpoint, headers: dict[str, str]) -> list[tuple[str, dict]]:
    """The statements (with their parameters) the app runs to answer `endpoint` once."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() != "SELECT 1":  # the pool's pre-ping, not the endpoint's work
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    body = endpoint.body_text.replace("{n}", "0")

    def call():
        return app.test_client(use_cookies=False).open(endpoint.path, method=endpoint.method, data=body or None,
                                                       content_type="application/json" if body else None,
                                                       headers=headers)
    if endpoint.method == "GET" or endpoint.warm:
        call()  # the credentials' once-a-minute "last used" write is not the endpoint's steady state
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        response = call()
        assert response.status_code < 300, (endpoint.path, response.status_code, response.get_data(as_text=True))
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return statements


def explain(connection, statement: str, parameters, analyze: bool = False) -> str:
    """PostgreSQL's plan for one captured statement (a psycopg2 DBAPI connection)."""
    with connection.cursor() as cursor:
        options = "ANALYZE, BUFFERS, " if analyze else ""
        cursor.execute(f"EXPLAIN ({options}COSTS OFF) {statement}", parameters)
        return "\n".join(row[0] for row in cursor.fetchall())


THREAD_TITLE, REPLIES_TITLE = "Bench: a 50-message conversation", "Bench: replies land here"


def conversation_tickets() -> tuple[int, int]:
    """Two tickets from a bench requester, made afresh each run: one with a 50-message thread (the page
    measured), one that the reply endpoint writes to (so the measured thread stays at 50)."""
    db.session.execute(sa.delete(Ticket).where(Ticket.title.in_((THREAD_TITLE, REPLIES_TITLE))))
    requester = find_or_add("bench-customer@example.com", "Bench Customer")
    made = []
    for title in (THREAD_TITLE, REPLIES_TITLE):
        ticket = Ticket(title=title, description="Where is my order? It was due on Monday.", category="general",
                        priority="medium", requester=requester, created_by="bench")
        db.session.add(ticket)
        db.session.flush()
        made.append(ticket.id)
    db.session.execute(sa.insert(Message), [
        {"ticket_id": made[0], "kind": ("customer", "reply", "note")[i % 3], "author": "bench",
         "body": f"Message {i}: " + "Thanks for the update; could you check the courier's tracking again? " * 3,
         "delivery_state": "unsent" if i % 3 == 1 else None, "created_at": utcnow()} for i in range(50)])
    db.session.commit()
    return made[0], made[1]
