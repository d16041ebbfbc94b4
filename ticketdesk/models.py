"""The models every blueprint shares: tickets and their history, and who may use the desk."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import column_property, deferred, relationship
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from .extensions import db

CATEGORIES = ("billing", "technical", "account", "general")
PRIORITIES = ("low", "medium", "high", "critical")
STATUSES = ("open", "in_progress", "resolved", "closed")
ORDERINGS = ("-created_at", "created_at", "priority", "sla_due")  # newest, oldest, queue order, nearest due
DEFAULT_ORDERING = "-created_at"
TITLE_MAX = 200
ROLES = ("viewer", "agent", "admin")  # each may do what the one before may, and more
SCOPES = ("read", "write", "admin")  # a read token may do what a viewer may; write, an agent; admin, an admin
MAX_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL
ASSIGNMENTS = ("manual", "round_robin", "least_open")  # how a team gives its new tickets an assignee
WORKING = ("open", "in_progress")  # the statuses an assignee still has work in (least_open counts these)
TEAM_NAME_MAX, TAG_MAX = 64, 40
# what an agent is told of (ownership/notifications.py), and which of it comes by mail unless they say otherwise
NOTIFICATION_KINDS = ("assigned", "answered", "mentioned", "new_ticket", "sla")
MAILED_BY_DEFAULT = "assigned,answered,mentioned,sla"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Always hands back time-zone aware UTC, also on SQLite, which stores naive text."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; TicketDesk stores UTC-aware times only")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# Priority as a sortable number, critical first: an expression, not a column, so it can never disagree with
# `priority`. Indexed as written (migration 0005); a query must use this exact text for the index to serve.
PRIORITY_RANK_SQL = "CASE priority " + " ".join(
    f"WHEN '{p}' THEN {rank}" for rank, p in enumerate(reversed(PRIORITIES))) + " END"
PRIORITY_RANK = sa.literal_column(f"({PRIORITY_RANK_SQL})", sa.Integer())


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# an agent answered last and the ticket is still open: the desk waits on the customer
WAITING_ON_CUSTOMER = "waiting_since IS NULL AND requester_id IS NOT NULL AND " + _in("status", WORKING)


class Ticket(db.Model):
    __tablename__ = "tickets"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(TITLE_MAX), nullable=False)
    description = sa.Column(sa.Text, nullable=False)
    category = sa.Column(sa.String(16), nullable=False)
    priority = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default="open", server_default="open")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, server_default=sa.func.now())
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow, server_default=sa.func.now())
    # raised by every change (tickets/changes.py); the API's ETag
    version = sa.Column(sa.Integer, nullable=False, default=1, server_default="1")
    # an agent's email or "token:NAME"; every change sets updated_by, which the event trigger records
    created_by = sa.Column(sa.String(254))
    updated_by = sa.Column(sa.String(254))
    # migration 0008: ISO 639 code found by triage/language.py (NULL: not yet detected, or no clear answer)
    language = sa.Column(sa.String(8))
    category_set_by = sa.Column(sa.String(8))
    priority_set_by = sa.Column(sa.String(8))
    # migration 0015: who set each label (an agent's email or token:NAME; NULL when the desk set it, or set
    # before 0015), so an admin can keep one actor's labels out of training
    category_labelled_by = sa.Column(sa.String(254))
    priority_labelled_by = sa.Column(sa.String(254))
    # the classifier that filled a field the client left to `auto`; NULL when the client chose both
    triaged_by = sa.Column(sa.String(32))
    # migration 0009: the customer who wrote in (NULL for tickets filed without one)
    requester_id = sa.Column(sa.Integer)  # references requesters.id (enforced on PostgreSQL: table args)
    requester = relationship("Requester", lazy="joined", innerjoin=False)
    # migration 0010: when an agent first answered the requester (the dashboard's first-response time), and
    # since when the requester has been waiting for an answer (their ticket or message came last; NULL once
    # an agent replied)
    first_reply_at = sa.Column(UTCDateTime)
    waiting_since = sa.Column(UTCDateTime)
    # migration 0013: the closed ticket this one continues (the requester wrote again after it was closed)
    follows_up_id = sa.Column(sa.Integer)  # references tickets.id (enforced on PostgreSQL: table args)
    # migration 0016: who owns it (an active agent) and which team's queue it is in; tags in ticket_tags
    assignee_id = sa.Column(sa.Integer)  # references users.id (enforced on PostgreSQL: table args)
    team_id = sa.Column(sa.Integer)  # references teams.id (enforced on PostgreSQL: table args)
    assignee = relationship("User", lazy="joined", innerjoin=False, foreign_keys=[assignee_id],
                            primaryjoin="User.id == Ticket.assignee_id")
    team = relationship("Team", lazy="joined", innerjoin=False, foreign_keys=[team_id],
                        primaryjoin="Team.id == Ticket.team_id")

    @property
    def assignee_email(self) -> str | None:
        return self.assignee.email if self.assignee else None

    @property
    def assignee_name(self) -> str | None:
        return self.assignee.name if self.assignee else None

    @property
    def team_name(self) -> str | None:
        return self.team.name if self.team else None

    @property
    def requester_email(self) -> str | None:
        return self.requester.email if self.requester else None

    @property
    def requester_name(self) -> str | None:
        return self.requester.name if self.requester else None

    # The migration is the source of truth for the schema; these mirror it so the model documents it.
    __table_args__ = (
        sa.CheckConstraint(_in("category", CATEGORIES), name="ck_tickets_category"),
        sa.CheckConstraint(_in("priority", PRIORITIES), name="ck_tickets_priority"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_tickets_status"),
        sa.CheckConstraint(f"length(title) <= {TITLE_MAX} AND trim(title) <> ''", name="ck_tickets_title"),
        sa.CheckConstraint("trim(description) <> ''", name="ck_tickets_description"),
        sa.Index("ix_tickets_created_id", created_at.desc(), id.desc()),
        sa.Index("ix_tickets_status_created_id", status, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_priority_created_id", priority, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_category_created_id", category, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_language_created_id", language, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_requester_created_id", requester_id, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_waiting_since", waiting_since),
        # SQLite cannot add a constraint to an existing table in place (migration 0009)
        sa.ForeignKeyConstraint([requester_id], ["requesters.id"], name="fk_tickets_requester")
        .ddl_if(dialect="postgresql"),
        sa.ForeignKeyConstraint([follows_up_id], ["tickets.id"], name="fk_tickets_follows_up")
        .ddl_if(dialect="postgresql"),
        sa.Index("ix_tickets_follows_up_id", follows_up_id),
        sa.ForeignKeyConstraint([assignee_id], ["users.id"], name="fk_tickets_assignee").ddl_if(dialect="postgresql"),
        sa.ForeignKeyConstraint([team_id], ["teams.id"], name="fk_tickets_team", ondelete="SET NULL")
        .ddl_if(dialect="postgresql"),
        # the lists by assignee and by team; an assignee's open work (least_open, the Mine queue)
        sa.Index("ix_tickets_assignee_created_id", assignee_id, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_team_created_id", team_id, created_at.desc(), id.desc()),
        sa.Index("ix_tickets_assignee_working", assignee_id, sqlite_where=sa.text(_in("status", WORKING)),
                 postgresql_where=sa.text(_in("status", WORKING))),
        # the queues (ownership/queues.py): a team's open work, and what waits on the customer
        sa.Index("ix_tickets_team_working", team_id, sqlite_where=sa.text(_in("status", WORKING)),
                 postgresql_where=sa.text(_in("status", WORKING))),
        sa.Index("ix_tickets_waiting_on_customer", created_at, sqlite_where=sa.text(WAITING_ON_CUSTOMER),
                 postgresql_where=sa.text(WAITING_ON_CUSTOMER)),
        # the priority ordering (critical first, then oldest), unfiltered and by status
        sa.Index("ix_tickets_rank_created_id", sa.text(f"({PRIORITY_RANK_SQL})"), created_at, id),
        sa.Index("ix_tickets_status_rank_created_id", status, sa.text(f"({PRIORITY_RANK_SQL})"), created_at, id),
        # substring search through trigram indexes; PostgreSQL only (SQLite scans)
        sa.Index("ix_tickets_title_trgm", title, postgresql_using="gin",
                 postgresql_ops={"title": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
        sa.Index("ix_tickets_description_trgm", description, postgresql_using="gin",
                 postgresql_ops={"description": "gin_trgm_ops"}).ddl_if(dialect="postgresql"),
    )

    def __repr__(self) -> str:
        return f"<Ticket {self.id} {self.status} {self.title[:30]!r}>"


class Requester(db.Model):
    """A customer who writes in. The email is kept lower-cased, so it is unique whatever the case it came in;
    the name is the first one given (a later ticket's does not replace it; agents can edit it). Migration 0009."""

    __tablename__ = "requesters"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, unique=True)
    name = sa.Column(sa.String(200))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)


MESSAGE_KINDS = ("reply", "note", "customer")  # to the requester; between agents only; from the requester
DELIVERY_STATES = ("queued", "sent", "failed", "unsent")
MESSAGE_MAX = 50_000  # characters in one message's body, once trimmed


class Message(db.Model):
    """One message in a ticket's thread, oldest first after the ticket's own description. A reply carries
    its delivery to the requester (migration 0010); a note never leaves the desk."""

    __tablename__ = "messages"

    id = sa.Column(sa.Integer, primary_key=True)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    # who wrote it: the agent (or token) for replies and notes; the requester's email for customer messages
    author = sa.Column(sa.String(254))
    posted_by = sa.Column(sa.String(254))  # who sent it to the desk (for customer messages, the integration)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    delivery_state = sa.Column(sa.String(8))
    delivery_detail = sa.Column(sa.String(500))
    # migration 0011: a reply's mail. Its Message-ID carries a random part, so a reply into the ticket cannot
    # be forged by guessing one; attempts so far, when the next is due, and until when a worker holds it
    mail_message_id = sa.Column(sa.String(255))
    delivery_attempts = sa.Column(sa.Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = sa.Column(UTCDateTime)
    claimed_until = sa.Column(UTCDateTime)
    delivered_at = sa.Column(UTCDateTime)

    __table_args__ = (sa.Index("ix_messages_ticket_id", ticket_id, id),
                      sa.Index("ix_messages_mail_message_id", mail_message_id, unique=True),
                      # the sweep's question, answered from queued mail only
                      sa.Index("ix_messages_queued", next_attempt_at, sqlite_where=sa.text("delivery_state = 'queued'"),
                               postgresql_where=sa.text("delivery_state = 'queued'")),
                      sa.CheckConstraint(_in("kind", MESSAGE_KINDS), name="ck_messages_kind").ddl_if(dialect="postgresql"))


MAIL_OUTCOMES = ("ticket", "message", "ignored", "bounce", "quarantined")


PURGEABLE = sa.text("outcome IN ('ignored', 'bounce', 'quarantined') AND purged_at IS NULL")


class IncomingMail(db.Model):
    """One mail that reached the desk, kept as it came (the original agents can view, and what a
    quarantined mail is retried from), with what it became. `key` makes a second copy a duplicate: the
    SHA-256 of its Message-ID, or of its bytes when it has none. Migration 0013."""

    __tablename__ = "incoming_mails"

    id = sa.Column(sa.Integer, primary_key=True)
    key = sa.Column(sa.String(64), nullable=False)
    mail_message_id = sa.Column(sa.String(255))  # matched by replies that answer the requester's own mail
    received_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    sender = sa.Column(sa.String(254))
    subject = sa.Column(sa.String(255))
    size = sa.Column(sa.Integer, nullable=False)
    raw = deferred(sa.Column(sa.LargeBinary, nullable=False))  # up to MAIL_MAX_MESSAGE_BYTES: read only when asked
    outcome = sa.Column(sa.String(16), nullable=False)
    detail = sa.Column(sa.String(500))  # why it was ignored or quarantined
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="SET NULL"))
    message_id = sa.Column(sa.Integer, sa.ForeignKey("messages.id", ondelete="SET NULL"))  # NULL: the ticket's opening
    # migration 0014: what its page shows (headers, text), computed once at intake so no page parses the
    # mail; why its sender is not verified (MAIL_AUTHSERV_ID); when retention emptied `raw` and `view`
    view = deferred(sa.Column(sa.JSON))
    unverified = sa.Column(sa.String(120))
    purged_at = sa.Column(UTCDateTime)

    __table_args__ = (sa.UniqueConstraint(key, name="uq_incoming_mails_key"),
                      sa.Index("ix_incoming_mails_mail_message_id", mail_message_id),
                      sa.Index("ix_incoming_mails_ticket_id", ticket_id),
                      sa.Index("ix_incoming_mails_quarantined", id, sqlite_where=sa.text("outcome = 'quarantined'"),
                               postgresql_where=sa.text("outcome = 'quarantined'")),
                      # retention's question: mail of no ticket whose bytes are still kept, oldest first
                      sa.Index("ix_incoming_mails_purgeable", received_at, sqlite_where=PURGEABLE,
                               postgresql_where=PURGEABLE),
                      sa.CheckConstraint(_in("outcome", MAIL_OUTCOMES), name="ck_incoming_mails_outcome")
                      .ddl_if(dialect="postgresql"))


class Attachment(db.Model):
    """A file that came with a mail, kept in the database so the web and the worker on any host serve the
    same one. `data` is NULL when it was larger than MAIL_MAX_ATTACHMENT_BYTES: it is still in the original
    mail. Migration 0013."""

    __tablename__ = "attachments"

    id = sa.Column(sa.Integer, primary_key=True)
    mail_id = sa.Column(sa.Integer, sa.ForeignKey("incoming_mails.id", ondelete="CASCADE"), nullable=False)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    message_id = sa.Column(sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"))  # NULL: the opening mail's
    filename = sa.Column(sa.String(255), nullable=False)
    content_type = sa.Column(sa.String(127), nullable=False)
    size = sa.Column(sa.Integer, nullable=False)
    data = deferred(sa.Column(sa.LargeBinary))

    __table_args__ = (sa.Index("ix_attachments_ticket_id", ticket_id, id),)


# whether the file itself is kept, known without loading it
Attachment.kept = column_property(Attachment.__table__.c.data.is_not(None))


SAVED_REPLY_TITLE_MAX = 120


class SavedReply(db.Model):
    """A reply the desk's agents share, with placeholders filled from the ticket when it is inserted into the
    composer (conversations/saved_replies.py). Migration 0012. A macro, too, when it carries `changes` to the
    ticket's fields and an internal `note`, applied with the reply (conversations/macros.py). Migration 0018."""

    __tablename__ = "saved_replies"

    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(SAVED_REPLY_TITLE_MAX), nullable=False)
    body = sa.Column(sa.Text, nullable=False)
    # {"status", "priority", "category", "team" (a name), "assignee" (an email), "add_tags", "remove_tags"}
    changes = sa.Column(sa.JSON)
    note = sa.Column(sa.Text)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by = sa.Column(sa.String(254))

    __table_args__ = (sa.UniqueConstraint(title, name="uq_saved_replies_title"),)


class PeriodicRun(db.Model):
    """The period each periodic job last ran for (jobs/periods.py): one row per job. Migration 0011."""

    __tablename__ = "periodic_runs"

    name = sa.Column(sa.String(64), primary_key=True)
    period_start = sa.Column(UTCDateTime, nullable=False)
    ran_at = sa.Column(UTCDateTime, nullable=False)


class Suggestion(db.Model):
    """One suggestion the classify endpoint served, and, once a ticket is filed with its id, what the ticket
    was filed with: the record triage feedback and the dashboard's triage panel are made of. Migration 0008."""

    __tablename__ = "suggestions"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    actor = sa.Column(sa.String(254))
    category = sa.Column(sa.String(16), nullable=False)
    priority = sa.Column(sa.String(16), nullable=False)
    category_by = sa.Column(sa.String(32), nullable=False)  # the classifier that answered each field
    priority_by = sa.Column(sa.String(32), nullable=False)
    category_confidence = sa.Column(sa.Float)
    priority_confidence = sa.Column(sa.Float)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    filed_category = sa.Column(sa.String(16))
    filed_priority = sa.Column(sa.String(16))

    __table_args__ = (sa.Index("ix_suggestions_created_at", created_at),)


class ClassifierModel(db.Model):
    """A model `flask triage train` built from the desk's tickets: its arrays as compressed JSON (no pickle,
    so loading one runs no code), and the report of what it learned from and how well it did."""

    __tablename__ = "classifier_models"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    examples = sa.Column(sa.Integer, nullable=False)
    report = sa.Column(sa.Text, nullable=False)  # JSON: triage/training.py's Report
    payload = sa.Column(sa.LargeBinary, nullable=False)
    # migration 0015: whether suggestions use it: a retrained model is deployed only if it scores at least as
    # well as the deployed one on the held-out tickets; the newest deployed model is the one in use
    deployed = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    judge = deferred(sa.Column(sa.Text))  # JSON: the held-out labels, frozen when it was deployed, its successors face

    __table_args__ = (sa.Index("ix_classifier_models_deployed", id, sqlite_where=sa.text("deployed"),
                               postgresql_where=sa.text("deployed")),)


class TrainingExclusion(db.Model):
    """An actor whose labels the learned classifier does not learn from (an admin's choice). Migration 0015."""

    __tablename__ = "training_exclusions"

    actor = sa.Column(sa.String(254), primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    created_by = sa.Column(sa.String(254))


class TicketCount(db.Model):
    """How many tickets have each (status, priority, category), kept exact by triggers (migration 0002)
    in the transaction that writes the ticket. Stats sum these rows; on PostgreSQL each connection
    writes its own `shard` so that concurrent writers do not wait on one row."""

    __tablename__ = "ticket_counts"

    status = sa.Column(sa.String(16), primary_key=True)
    priority = sa.Column(sa.String(16), primary_key=True)
    category = sa.Column(sa.String(16), primary_key=True)
    shard = sa.Column(sa.SmallInteger, primary_key=True)
    n = sa.Column(sa.BigInteger, nullable=False)

    __table_args__ = (sa.PrimaryKeyConstraint(status, priority, category, shard, name="pk_ticket_counts"),)


class TicketEvent(db.Model):
    """One status, priority, category, assignee or team change, written by a trigger (migrations 0004, 0016)
    in the changing transaction: the audit trail cannot miss a write, whatever path made it. A tag added or
    removed is an event too (`tag`, from null to the tag or back), written with the change (ownership/tags.py).
    Values are null where there was none (no assignee, no team)."""

    __tablename__ = "ticket_events"

    id = sa.Column(sa.Integer, primary_key=True)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    field = sa.Column(sa.String(16), nullable=False)
    old_value = sa.Column(sa.String(254))
    new_value = sa.Column(sa.String(254))
    actor = sa.Column(sa.String(254))
    created_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (sa.Index("ix_ticket_events_ticket_id", ticket_id, id),)


class User(db.Model):
    """An agent, who signs in to the pages. Created with `flask users create`."""

    __tablename__ = "users"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True, server_default=sa.true())
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, server_default=sa.func.now())
    role = sa.Column(sa.String(16), nullable=False, default="agent", server_default="agent")
    # set when an admin gives a temporary password: the agent chooses their own before anything else
    must_change_password = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # migration 0016: the name tickets show for their assignee; away: automatic assignment passes them by
    name = sa.Column(sa.String(200))
    away = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())
    # migration 0017: which notifications also come by mail (kinds, comma-separated), and whether a new
    # ticket in one of their teams is worth a notification at all
    mail_notifications = sa.Column(sa.String(100), nullable=False, default=MAILED_BY_DEFAULT,
                                   server_default=MAILED_BY_DEFAULT)
    new_ticket_alerts = sa.Column(sa.Boolean, nullable=False, default=False, server_default=sa.false())

    # what Flask-Login asks of a user
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(db.Model):
    """A program's credential. Only the SHA-256 of the token is kept: the token itself is shown once,
    by `flask tokens create`. A revoked token stays, so its name keeps meaning in the audit trail."""

    __tablename__ = "api_tokens"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(64), nullable=False, unique=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, server_default=sa.func.now())
    revoked_at = sa.Column(UTCDateTime)
    scope = sa.Column(sa.String(8), nullable=False, default="write", server_default="write")
    expires_at = sa.Column(UTCDateTime)
    last_used_at = sa.Column(UTCDateTime)  # written at most once a minute (auth/tokens.py)


class AdminEvent(db.Model):
    """One change an admin made to agents or tokens: who, when, what. Migration 0007."""

    __tablename__ = "admin_events"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    actor = sa.Column(sa.String(254), nullable=False)
    action = sa.Column(sa.String(32), nullable=False)
    subject = sa.Column(sa.String(254), nullable=False)
    detail = sa.Column(sa.String(254))

    __table_args__ = (sa.Index("ix_admin_events_at", at),)


class AgentSession(db.Model):
    """One signed-in browser. The cookie holds a random key; only its SHA-256 is kept here, so every worker
    and host sees a session end at once (sign-out, a password change, deactivation) and a leaked table
    opens nothing. Migration 0006."""

    __tablename__ = "agent_sessions"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    key_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    ended_at = sa.Column(UTCDateTime)

    __table_args__ = (sa.Index("ix_agent_sessions_user_id", user_id),)


class SignInAttempt(db.Model):
    """Every password check: what admins see, and what the sign-in throttle counts (in the database, which
    every worker and host shares). Rows older than SIGN_IN_RETENTION_DAYS are pruned. Migration 0006."""

    __tablename__ = "sign_in_attempts"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    email = sa.Column(sa.String(254), nullable=False)
    address = sa.Column(sa.String(64), nullable=False)
    succeeded = sa.Column(sa.Boolean, nullable=False)

    __table_args__ = (sa.Index("ix_sign_in_attempts_email_at", email, at),
                      sa.Index("ix_sign_in_attempts_address_at", address, at),
                      sa.Index("ix_sign_in_attempts_at", at))


class Team(db.Model):
    """A queue of tickets and the agents who work it (migration 0016). `assignment` says how a ticket that
    joins the team without an assignee gets one (ownership/assignment.py); `last_assignee_id` is where
    round robin stands, moved under the team's row lock."""

    __tablename__ = "teams"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(TEAM_NAME_MAX), nullable=False)
    assignment = sa.Column(sa.String(16), nullable=False, default="manual", server_default="manual")
    last_assignee_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint(name, name="uq_teams_name"),
                      sa.CheckConstraint(_in("assignment", ASSIGNMENTS), name="ck_teams_assignment")
                      .ddl_if(dialect="postgresql"))


class TeamMember(db.Model):
    __tablename__ = "team_members"

    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (sa.Index("ix_team_members_user_id", user_id),)


ROUTE_KINDS = ("address", "category")


class TeamRoute(db.Model):
    """Where new tickets go: mail to a desk address (`billing@…`), or a category, routes to one team."""

    __tablename__ = "team_routes"

    kind = sa.Column(sa.String(16), primary_key=True)
    value = sa.Column(sa.String(254), primary_key=True)
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)

    __table_args__ = (sa.Index("ix_team_routes_team_id", team_id),)


class Tag(db.Model):
    """A word agents file tickets under: lower-case letters, digits, `-` and `_`; made on first use."""

    __tablename__ = "tags"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(TAG_MAX), nullable=False)

    __table_args__ = (sa.UniqueConstraint(name, name="uq_tags_name"),)


class TicketTag(db.Model):
    """One tag on one ticket: adding and removing are row inserts and deletes, so two agents tagging one
    ticket at once never overwrite each other."""

    __tablename__ = "ticket_tags"

    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    tag_id = sa.Column(sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (sa.Index("ix_ticket_tags_tag_id", tag_id, ticket_id),)


class comma_joined(FunctionElement):
    """Strings joined by commas, the comma written into the SQL: `func.aggregate_strings` binds its separator
    as a literal that SQLAlchemy renders into the statement again on every execution (30-50 µs each, on
    every GET and change of a ticket and every list page)."""

    type = sa.String()
    name = "comma_joined"
    inherit_cache = True


@compiles(comma_joined)  # PostgreSQL's, and any other dialect's
def _string_agg(element, compiler, **kw):
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


@compiles(comma_joined, "sqlite")
def _group_concat(element, compiler, **kw):
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


# A ticket's tags joined by commas (a tag holds none), read with the ticket in the same SELECT, as the list's
# rows carry them (record/queries.py); `tags` gives them as a sorted list.
def tag_names_of(ticket_id) -> sa.Select:
    """The tags, joined by commas, of the ticket `ticket_id` names (a column or a bound id)."""
    return (sa.select(comma_joined(Tag.name)).join(TicketTag, TicketTag.tag_id == Tag.id)
            .where(TicketTag.ticket_id == ticket_id))


TAG_NAMES = tag_names_of(Ticket.id).correlate_except(Tag, TicketTag).scalar_subquery()
Ticket.tag_names = column_property(TAG_NAMES)
Ticket.tags = property(lambda ticket: sorted(ticket.tag_names.split(",")) if ticket.tag_names else [])


class Notification(db.Model):
    """Something an agent is told (migration 0017): a ticket assigned to them, a customer's answer to one of
    theirs, a mention in a note, a new ticket in their team. `ticket_id` is null for one that stands for
    several tickets (a bulk assignment, `count` of them). `mail_state`: null (not mailed), queued, sending,
    sent or failed; claimed by one UPDATE for MAIL_CLAIM_SECONDS, so one worker sends it, and a claim whose
    worker died runs out and the sweep queues it again."""

    __tablename__ = "notifications"

    id = sa.Column(sa.Integer, primary_key=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    kind = sa.Column(sa.String(16), nullable=False)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"))
    count = sa.Column(sa.Integer, nullable=False, default=1, server_default="1")
    text = sa.Column(sa.String(500), nullable=False)
    actor = sa.Column(sa.String(254))
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    read_at = sa.Column(UTCDateTime)
    mail_state = sa.Column(sa.String(8))
    mail_detail = sa.Column(sa.String(500))
    claimed_until = sa.Column(UTCDateTime)  # while "sending": the worker's claim (migration 0020)

    __table_args__ = (sa.Index("ix_notifications_user_id", user_id, id.desc()),
                      sa.Index("ix_notifications_unread", user_id, sqlite_where=sa.text("read_at IS NULL"),
                               postgresql_where=sa.text("read_at IS NULL")),
                      sa.Index("ix_notifications_ticket_id", ticket_id),
                      # the sweep's question, answered from unsent mail only
                      sa.Index("ix_notifications_unsent", id,
                               sqlite_where=sa.text("mail_state IN ('queued', 'sending')"),
                               postgresql_where=sa.text("mail_state IN ('queued', 'sending')")),
                      sa.CheckConstraint(_in("kind", NOTIFICATION_KINDS), name="ck_notifications_kind")
                      .ddl_if(dialect="postgresql"))


VIEW_NAME_MAX = 60


class SavedView(db.Model):
    """A view of the ticket list kept under a name (migration 0019): shared with the desk by an admin
    (`owner_id` null) or an agent's own. `filters` are the list's (status, priority, category, search,
    requester, language, assignee with `me` meaning whoever looks, team, tag: a list); ownership/saved_views.py."""

    __tablename__ = "saved_views"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(VIEW_NAME_MAX), nullable=False)
    owner_id = sa.Column(sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"))
    filters = sa.Column(sa.JSON, nullable=False)
    ordering = sa.Column(sa.String(16), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_by = sa.Column(sa.String(254))

    __table_args__ = (sa.Index("ix_saved_views_owner_id", owner_id),)


CALENDAR_NAME_MAX = 64


class BusinessHours(db.Model):
    """A calendar of business hours (migration 0021): a time zone, each weekday's hours in its wall-clock
    time (`week`: {"mon": [["09:00", "14:00"], …], …}) and holidays (`holidays`: [{"date", "name"}]). SLA
    targets count their minutes in it (sla/business_time.py); 24/7 is built in and has no row."""

    __tablename__ = "business_hours"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(CALENDAR_NAME_MAX), nullable=False)
    timezone = sa.Column(sa.String(64), nullable=False)
    week = sa.Column(sa.JSON, nullable=False)
    holidays = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by = sa.Column(sa.String(254))

    __table_args__ = (sa.UniqueConstraint(name, name="uq_business_hours_name"),)


POLICY_NAME_MAX = 64
SLA_TARGETS = ("first_response", "next_response", "resolution")
POLICY_MATCHES = ("priority", "category", "team", "tag", "requester_domain")


class SlaPolicy(db.Model):
    """A service-level policy (migration 0022): the first by `position` whose `match` fits a ticket applies
    to it ({"priority": [...], "category": [...], "team": [names], "tag": [...], "requester_domain": [...]}:
    each key present must hold the ticket's value; `{}` fits every ticket). Its targets are minutes of
    business time in its calendar (none: 24/7); a target left null is not measured."""

    __tablename__ = "sla_policies"

    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(POLICY_NAME_MAX), nullable=False)
    position = sa.Column(sa.Integer, nullable=False)
    match = sa.Column(sa.JSON, nullable=False)
    business_hours_id = sa.Column(sa.Integer, sa.ForeignKey("business_hours.id", ondelete="RESTRICT"))
    first_response_minutes = sa.Column(sa.Integer)
    next_response_minutes = sa.Column(sa.Integer)
    resolution_minutes = sa.Column(sa.Integer)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by = sa.Column(sa.String(254))

    business_hours = relationship(BusinessHours, lazy="joined")

    __table_args__ = (sa.UniqueConstraint(name, name="uq_sla_policies_name"),
                      sa.Index("ix_sla_policies_position", position, id))


class TicketSla(db.Model):
    """Where a ticket stands against its SLA policy (migration 0023), written when the events it measures
    happen (sla/clock.py), never by scanning: each target's due time (null: not running, met, or not in
    the policy), the resolution clock's business time spent and since when it runs again (null: paused or
    stopped), and the targets breached (kept breached whatever changes). `next_due_at` is the nearest due
    time still open: the list's `sla_due` order and the warning scan read it through its partial index.
    A row of its own, so that these writes never touch the tickets table's indexes."""

    __tablename__ = "ticket_slas"

    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    policy_id = sa.Column(sa.Integer, sa.ForeignKey("sla_policies.id", ondelete="SET NULL"))
    first_response_due_at = sa.Column(UTCDateTime)
    next_response_due_at = sa.Column(UTCDateTime)
    resolution_due_at = sa.Column(UTCDateTime)
    resolution_spent = sa.Column(sa.Float, nullable=False, default=0.0)  # business seconds, while it ran
    resolution_running_since = sa.Column(UTCDateTime)
    next_due_at = sa.Column(UTCDateTime)
    breached = sa.Column(sa.String(64), nullable=False, default="")  # the targets, comma-separated
    met = sa.Column(sa.String(64), nullable=False, default="")  # the targets met at least once
    next_alert_at = sa.Column(UTCDateTime)  # when the warning scan must next look (migration 0024)

    policy = relationship(SlaPolicy, lazy="joined")

    __table_args__ = (sa.Index("ix_ticket_slas_next_due", next_due_at, ticket_id,
                               sqlite_where=sa.text("next_due_at IS NOT NULL"),
                               postgresql_where=sa.text("next_due_at IS NOT NULL")),
                      sa.Index("ix_ticket_slas_breached", ticket_id, sqlite_where=sa.text("breached <> ''"),
                               postgresql_where=sa.text("breached <> ''")),
                      sa.Index("ix_ticket_slas_next_alert", next_alert_at,
                               sqlite_where=sa.text("next_alert_at IS NOT NULL"),
                               postgresql_where=sa.text("next_alert_at IS NOT NULL")))


SLA_LEVELS = ("warning", "breach")


class SlaAlert(db.Model):
    """A warning that a target is about to break, or that it broke, sent once (migration 0024): the unique
    key is the ticket, the target, its due time (each next response has its own) and the level."""

    __tablename__ = "sla_alerts"

    id = sa.Column(sa.Integer, primary_key=True)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    target = sa.Column(sa.String(16), nullable=False)
    level = sa.Column(sa.String(8), nullable=False)
    due_at = sa.Column(UTCDateTime, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint(ticket_id, target, due_at, level, name="uq_sla_alerts_once"),)


class SlaOutcome(db.Model):
    """A target met or breached (migration 0025), as it was decided: the policy it was measured under and
    the team whose queue the ticket was in. The dashboard's compliance reads these; a breach is one row per
    target, a next response met one row per answered message."""

    __tablename__ = "sla_outcomes"

    id = sa.Column(sa.Integer, primary_key=True)
    ticket_id = sa.Column(sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False)
    target = sa.Column(sa.String(16), nullable=False)
    met = sa.Column(sa.Boolean, nullable=False)
    due_at = sa.Column(UTCDateTime)
    decided_at = sa.Column(UTCDateTime, nullable=False)
    policy_id = sa.Column(sa.Integer, sa.ForeignKey("sla_policies.id", ondelete="SET NULL"))
    team_id = sa.Column(sa.Integer, sa.ForeignKey("teams.id", ondelete="SET NULL"))

    __table_args__ = (sa.Index("ix_sla_outcomes_decided", decided_at), sa.Index("ix_sla_outcomes_ticket", ticket_id))



class DeskGeneration(db.Model):
    """One number (migration 0026) that triggers raise in the transaction that changes what every write
    would otherwise read again: SLA policies, business hours, the routes to teams. A worker keeps what it
    read of those while the number stays the same (ticketdesk/generation.py)."""

    __tablename__ = "desk_generation"

    id = sa.Column(sa.Integer, primary_key=True, autoincrement=False)  # the one row is 1
    n = sa.Column(sa.BigInteger, nullable=False)

Ticket.sla_state = relationship(TicketSla, uselist=False, viewonly=True, lazy="joined")
# the names a row of record.queries.ticket_page carries, for a Ticket too (schemas.ticket_json reads either)
for _name, _read in (("sla_policy", lambda s: s.policy.name if s.policy else None),
                     ("sla_first_response_due_at", lambda s: s.first_response_due_at),
                     ("sla_next_response_due_at", lambda s: s.next_response_due_at),
                     ("sla_resolution_due_at", lambda s: s.resolution_due_at),
                     ("sla_resolution_minutes", lambda s: s.policy.resolution_minutes if s.policy else None),
                     ("sla_running_since", lambda s: s.resolution_running_since),
                     ("sla_breached", lambda s: s.breached)):
    setattr(Ticket, _name, property(lambda ticket, read=_read: read(ticket.sla_state) if ticket.sla_state else None))
