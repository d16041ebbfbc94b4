"""What the benchmark measures: each endpoint as a request, and the SQL the app runs to answer it
(captured from the app itself, so the floors and the plan checks look at the real statements)."""
import json
from dataclasses import dataclass

import sqlalchemy as sa

from ticketdesk.extensions import db
from ticketdesk.models import (
    Message,
    SavedView,
    SlaAlert,
    SlaOutcome,
    SlaPolicy,
    Tag,
    Team,
    TeamMember,
    Ticket,
    TicketSla,
    TicketTag,
    User,
    utcnow,
)
from ticketdesk.record.changes import CREATED, noted
from ticketdesk.record.queries import Cursor, encode_cursor
from ticketdesk.record.requesters import find_or_add

from .load import COMMON_WORD, RARE_WORD

NEW_TICKET = {"title": "Cannot export report {n}", "description": "Export to CSV fails with error 500 since "
              "the update; run {n}. The finance team needs the data today.", "category": "technical",
              "priority": "high"}
CLASSIFY = {"description": "I was charged twice for my subscription this month, please refund {n}"}
REPLY = {"kind": "reply", "body": "We have re-sent the tracking link for order {n}; it should arrive today."}


# the desk's operations that bench/floor.py also serves, at the same paths with the same bodies
FLOORED = ("create", "classify (learned)", "one ticket", "patch status (open, in progress in turn)")


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
    # the id the captured request created, if it created something (capture_sql sets it)
    created_id: int | None = None

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
    sla_desk()  # before the conversation's tickets, which the policy then measures as they are written
    thread, replies = conversation_tickets()
    agent, bulk_ids = owned_tickets(total)
    return [
        Endpoint("bare endpoint (/healthz)", "/healthz", uses_database=False),
        # the same nothing behind the access gate: the difference is what checking a token costs
        Endpoint("bare endpoint behind the gate (/api/whoami/, token)", "/api/whoami/", plan_checked=False),
        Endpoint("list, first page (100)", "/api/tickets/", uses=("ix_tickets_created_id",)),
        Endpoint("list, status=open & priority=high", "/api/tickets/?status=open&priority=high",
                 uses_any=("ix_tickets_status_created_id", "ix_tickets_priority_created_id")),
        # one ticket in twenty is German: the planner may walk the newest-first index as soon as the language's
        # own (the rows it reads for a page are alike); either way it never scans the table
        Endpoint("list, language=de", "/api/tickets/?language=de",
                 uses_any=("ix_tickets_language_created_id", "ix_tickets_created_id")),
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
        # a status change moves the ticket's SLA clocks (the resolution clock stops and starts) besides the audit
        Endpoint("patch status (open, in progress in turn)", f"/api/tickets/{replies}/", "PATCH", {"status": "{status}"}),
        # the ticket, its history and its thread: three indexed reads besides the session
        Endpoint("page: ticket with a 50-message thread", f"/tickets/{thread}", plan_checked=False),
        # ownership: the lists a queue is worked from, the queues' counts, one change for 1,000 tickets
        Endpoint("list, assignee=<agent>", f"/api/tickets/?assignee={agent}", uses=("ix_tickets_assignee_created_id",)),
        Endpoint("list, team=Billing", "/api/tickets/?team=Billing", uses=("ix_tickets_team_created_id",)),
        # the tag's tickets are found through ticket_tags, then ordered: at 50,000 tickets with one tag the
        # planner rightly hashes them against the whole table, so the plan is recorded, not checked
        Endpoint("list, tag=vip", "/api/tickets/?tag=vip", plan_checked=False),
        Endpoint("queue: unassigned, priority order", "/api/views/unassigned/tickets/"),
        # four built-in queues, each counted through its partial index (or the kept counts) up to 1,000, and
        # two views shared with the desk, counted through the list's indexes up to 1,000
        Endpoint("queues and shared views: every count (token)", "/api/views/", plan_checked=False),
        Endpoint("shared view: VIP billing", "/api/views/1/tickets/", plan_checked=False),
        Endpoint("bulk: set priority on 1,000 tickets", "/api/tickets/bulk/", "POST",
                 {"ids": bulk_ids, "set": {"priority": "low"}}),
        # SLA: every open ticket is under a policy; most old ones are overdue, a few dozen due within the hour
        Endpoint("list, sla=overdue", "/api/tickets/?sla=overdue", plan_checked=False),
        Endpoint("list, sla=due_within_60", "/api/tickets/?sla=due_within_60", uses=("ix_ticket_slas_next_due",)),
        Endpoint("list, ordering=sla_due", "/api/tickets/?ordering=sla_due", uses=("ix_ticket_slas_next_due",)),
        Endpoint("queue: due soon (sla_due order)", "/api/views/due-soon/tickets/", uses=("ix_ticket_slas_next_due",)),
    ]


def capture_sql(app, endpoint: Endpoint, headers: dict[str, str]) -> list[tuple[str, dict]]:
    """The statements (with their parameters) the app runs to answer `endpoint` once."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.strip().upper() != "SELECT 1":  # the pool's pre-ping, not the endpoint's work
            statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    body = endpoint.body_text.replace("{n}", "0").replace("{status}", "in_progress")

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
        if endpoint.method == "POST" and response.is_json and isinstance(response.json, dict):
            endpoint.created_id = response.json.get("id")
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
    noted(made, {CREATED})  # filed as the desk files: their SLA clocks start (a reply then updates them)
    db.session.execute(sa.insert(Message), [
        {"ticket_id": made[0], "kind": ("customer", "reply", "note")[i % 3], "author": "bench",
         "body": f"Message {i}: " + "Thanks for the update; could you check the courier's tracking again? " * 3,
         "delivery_state": "unsent" if i % 3 == 1 else None, "created_at": utcnow()} for i in range(50)])
    db.session.commit()
    return made[0], made[1]


BENCH_POLICY = "Bench standard"
SLA_ROWS = """
INSERT INTO ticket_slas (ticket_id, policy_id, first_response_due_at, resolution_due_at, resolution_spent,
                         resolution_running_since, next_due_at, breached, met, next_alert_at)
SELECT id, :policy, created_at + interval '4 hours', created_at + interval '48 hours', 0, created_at,
       created_at + interval '4 hours',
       CASE WHEN created_at + interval '4 hours' <= now() THEN 'first_response' ELSE '' END, '',
       CASE WHEN created_at + interval '4 hours' > now() THEN created_at + interval '210 minutes' END
FROM tickets WHERE status IN ('open', 'in_progress')
"""


def sla_desk() -> None:
    """Every open ticket under one 24/7 policy (first response in 4 h, resolution in 48 h), unanswered, its
    clocks as the events would have left them and the scan caught up: rewritten each run against the time
    now, so the overdue share and the few dozen tickets due within the hour are alike from run to run."""
    policy = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.name == BENCH_POLICY))
    if policy is None:
        policy = SlaPolicy(name=BENCH_POLICY, position=0, match={}, first_response_minutes=240,
                           resolution_minutes=2880, updated_by="bench")
        db.session.add(policy)
        db.session.flush()
    for model in (SlaAlert, SlaOutcome, TicketSla):
        db.session.execute(sa.delete(model))
    db.session.execute(sa.text(SLA_ROWS), {"policy": policy.id})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE ticket_slas"))


OWNER = "bench-owner@example.com"


def owned_tickets(total: int) -> tuple[str, list[int]]:
    """A busy desk's ownership, made once per database: two agents in a team "Billing"; one ticket in 40
    assigned (alternately), one in 10 in the team, one in 100 tagged "vip". Returns an agent's email and
    1,000 tickets for the bulk change."""
    if db.session.scalar(sa.select(Team.id).where(Team.name == "Billing")) is None:
        agents = []
        for email in (OWNER, "bench-other@example.com"):
            user = User(email=email, password_hash="-", role="agent")
            db.session.add(user)
            db.session.flush()
            agents.append(user.id)
        team = Team(name="Billing", assignment="round_robin")
        tag = Tag(name="vip")
        db.session.add_all([team, tag])
        db.session.flush()
        db.session.add_all(TeamMember(team_id=team.id, user_id=a) for a in agents)
        db.session.execute(sa.update(Ticket).where(Ticket.id % 40 == 0).values(
            assignee_id=sa.case((Ticket.id % 80 == 0, agents[0]), else_=agents[1])))
        db.session.execute(sa.update(Ticket).where(Ticket.id % 10 == 0).values(team_id=team.id))
        db.session.execute(sa.insert(TicketTag).from_select(
            ["ticket_id", "tag_id"], sa.select(Ticket.id, sa.literal(tag.id)).where(Ticket.id % 100 == 0)))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # as autovacuum would, soon
            conn.execute(sa.text("VACUUM ANALYZE tickets, ticket_tags"))
    if db.session.scalar(sa.select(SavedView.id).limit(1)) is None:  # two views the desk shares, in the sidebar
        db.session.add_all([
            SavedView(name="VIP billing", filters={"category": "billing", "tag": ["vip"]}, ordering="-created_at"),
            SavedView(name="Critical, nobody's", filters={"priority": "critical", "status": "open", "assignee": "none"},
                      ordering="created_at")])
        db.session.commit()
    return OWNER, list(range(total // 4, total // 4 + 1000))
