"""What agents are told: a ticket assigned to them, a customer's answer to a ticket of theirs (or of their
team's, while nobody owns it), a mention in an internal note (`@ana@example.com`; `@AnaLima` for an agent
named Ana Lima; `@ana` for ana@…), and, for those who asked, a new ticket in one of their teams. Nobody is told of their own action.

Each notification is written in the transaction of what caused it, so it exists exactly when that change
does. It is read in the desk (a bell on every page, `/notifications`, `GET /api/notifications/`) and, kind by
kind as each agent chooses on their account page, mailed: after the commit a job is queued, and the worker
claims the mail with one UPDATE, so it is sent at most once whatever the number of workers. A job lost on
the way (the queue was down) is queued again by the sweep."""
import email.errors
import logging
import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from ..jobs import enqueue, periodic, task
from ..mail_out import configured
from ..mail_out.settings import sender
from ..mail_out.smtp import Permanent, Temporary, send
from ..models import Notification, TeamMember, Ticket, User, utcnow
from ..record.queries import starts_with
from ..text import visible

log = logging.getLogger(__name__)

MAIL = "ownership.mail_notification"
PENDING = "ticketdesk.notifications"  # session.info key: notifications to mail once the transaction commits
RETRY_SECONDS = 300
SWEPT_AT_ONCE = 500
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[^\W\d_][\w-]*)")
MENTIONS_TOLD = 20  # agents one note may notify
MENTIONS_SUGGESTED = 8  # agents offered as someone types "@…"
TITLE_SHOWN = 80


def tell(user_ids, kind: str, actor: str | None, text: str, ticket_id: int | None = None,
         count: int = 1) -> list[Notification]:
    """Notify each of `user_ids` (active agents; never the actor), in the caller's transaction; each is
    mailed after the commit if its agent mails that kind and mail is configured."""
    ids = set(user_ids) - {None}
    if not ids:
        return []
    mail = configured(current_app.config)
    users = db.session.execute(sa.select(User.id, User.email, User.mail_notifications)
                               .where(User.id.in_(ids), User.active)).all()
    made = [Notification(user_id=user.id, kind=kind, ticket_id=ticket_id, count=count, text=text[:500], actor=actor,
                         created_at=utcnow(),
                         mail_state="queued" if mail and kind in user.mail_notifications.split(",") else None)
            for user in users if user.email != actor]
    db.session.add_all(made)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).extend(n.id for n in made if n.mail_state == "queued")
    return made


def ticket_title(ticket: Ticket) -> str:
    """The title as a notification says it: one line, at most TITLE_SHOWN characters."""
    title = " ".join(visible(ticket.title).split())
    return title if len(title) <= TITLE_SHOWN else title[:TITLE_SHOWN - 1] + "…"


def assigned(ticket_ids_by_agent: dict[int, list[int]], actor: str | None) -> None:
    """Tell each agent of the tickets just assigned to them: one notification each, however many tickets
    (a bulk change names how many)."""
    for agent, ticket_ids in ticket_ids_by_agent.items():
        if len(ticket_ids) == 1:
            ticket = db.session.get(Ticket, ticket_ids[0])
            tell([agent], "assigned", actor, f"#{ticket.id} {ticket_title(ticket)} is yours now", ticket.id)
        elif ticket_ids:
            tell([agent], "assigned", actor, f"{len(ticket_ids)} tickets are yours now", count=len(ticket_ids))


def answered(ticket: Ticket, actor: str | None) -> None:
    """A customer answered: tell the assignee, or while nobody owns it, the ticket's team."""
    agents = [ticket.assignee_id] if ticket.assignee_id else _members(ticket.team_id)
    tell(agents, "answered", actor, f"The customer answered #{ticket.id} {ticket_title(ticket)}", ticket.id)


def mentioned(ticket: Ticket, note: str, actor: str | None) -> None:
    """Tell the agents a note names: `@` and an agent's email, their name (its spaces left out) or their
    email's part before the @."""
    words = {w.lower() for w in MENTION.findall(note)}
    if not words:
        return
    agents = db.session.execute(sa.select(User.id, User.email, User.name).where(User.active)).all()
    named = [a.id for a in agents if a.email in words or a.email.split("@")[0] in words
             or (a.name and "".join(a.name.split()).lower() in words)]
    tell(named[:MENTIONS_TOLD], "mentioned", actor, f"You were mentioned on #{ticket.id} {ticket_title(ticket)}", ticket.id)


def mentionable(prefix: str) -> list[dict]:
    """The first active agents (at most MENTIONS_SUGGESTED, by email) whose email, name or a word of their name
    starts with `prefix`, each with the mention that names them alone (`@` and their email)."""
    prefix = prefix.strip().lower().lstrip("@")
    if not prefix:
        return []
    like = starts_with(prefix)
    name = sa.func.lower(sa.func.coalesce(User.name, ""))
    found = db.session.execute(sa.select(User.email, User.name).where(User.active, sa.or_(
        User.email.like(like, escape="\\"), name.like(like, escape="\\"), name.like(f"% {like}", escape="\\")))
        .order_by(User.email).limit(MENTIONS_SUGGESTED)).all()
    return [{"email": a.email, "name": a.name, "mention": f"@{a.email}"} for a in found]


def new_ticket(ticket: Ticket, actor: str | None) -> None:
    """A new ticket in a team: its members who asked to hear of them."""
    if ticket.team_id is None:
        return
    wanting = db.session.scalars(sa.select(User.id).join(TeamMember, TeamMember.user_id == User.id)
                                 .where(TeamMember.team_id == ticket.team_id, User.new_ticket_alerts)).all()
    tell(wanting, "new_ticket", actor, f"New in your team: #{ticket.id} {ticket_title(ticket)}", ticket.id)


def _members(team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    return db.session.scalars(sa.select(TeamMember.user_id).where(TeamMember.team_id == team_id)).all()


def mail_after_commit(session) -> None:
    """The session's after-commit hook: queue a mail job for each notification the transaction made."""
    for notification_id in session.info.pop(PENDING, []):
        enqueue(MAIL, notification_id)


def forget_after_rollback(session) -> None:
    session.info.pop(PENDING, None)


@task(MAIL)
def mail_notification(notification_id: int) -> str:
    """The worker's half: claim, send, record. Once: only the worker whose UPDATE claimed it sends it; a
    claim runs out after MAIL_CLAIM_SECONDS, when its worker must have died (as for replies, a worker that
    died between the server's acceptance and the record would send it a second time)."""
    config, now = current_app.config, utcnow()
    claimed = db.session.execute(sa.update(Notification).where(Notification.id == notification_id, _claimable(now))
                                 .values(mail_state="sending", claimed_until=now + timedelta(
                                     seconds=config["MAIL_CLAIM_SECONDS"]))).rowcount
    db.session.commit()
    if not claimed:
        return "not queued"
    notification = db.session.get(Notification, notification_id)
    agent = db.session.get(User, notification.user_id)
    try:
        send(_compose(notification, agent, config), config["SMTP_URL"], config["SMTP_TIMEOUT"])
    except (Permanent, ValueError, email.errors.MessageError) as refused:
        return _record(notification_id, "failed", str(refused))
    except Temporary as problem:
        _record(notification_id, "queued", f"trying again: {problem}")
        enqueue(MAIL, notification_id, delay=RETRY_SECONDS)
        return "retrying"
    return _record(notification_id, "sent", None)


@periodic("ownership.notification_sweep",
          every=lambda config: config["MAIL_SWEEP_SECONDS"] if configured(config) else 0)
def sweep() -> int:
    """Queue again every notification mail that has waited a whole sweep period (its job was lost) or whose
    worker's claim ran out (it died sending). The claim makes a second job harmless."""
    now = utcnow()
    overdue = now - timedelta(seconds=current_app.config["MAIL_SWEEP_SECONDS"])
    ids = list(db.session.scalars(sa.select(Notification.id).where(
        Notification.mail_state.in_(("queued", "sending")), Notification.created_at <= overdue, _claimable(now))
        .order_by(Notification.id).limit(SWEPT_AT_ONCE)))
    for notification_id in ids:
        enqueue(MAIL, notification_id)
    return len(ids)


def _claimable(now):
    """Queued, or claimed by a worker whose claim has run out."""
    return sa.or_(Notification.mail_state == "queued",
                  sa.and_(Notification.mail_state == "sending", Notification.claimed_until < now))


def _record(notification_id: int, state: str, detail: str | None) -> str:
    db.session.execute(sa.update(Notification).where(Notification.id == notification_id)
                       .values(mail_state=state, mail_detail=detail and detail[:500], claimed_until=None))
    db.session.commit()
    return state


def _compose(notification: Notification, agent: User, config) -> EmailMessage:
    desk = sender(config["MAIL_FROM"])
    mail = EmailMessage()
    mail["From"] = desk
    mail["To"] = agent.email
    mail["Subject"] = " ".join(notification.text.split())
    mail["Date"] = format_datetime(notification.created_at)
    mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: nobody's out-of-office should answer it
    mail["X-Auto-Response-Suppress"] = "All"
    where = (f"/tickets/{notification.ticket_id}" if notification.ticket_id else "/?view=mine")
    link = f"{config['DESK_URL'].rstrip('/')}{where}" if config.get("DESK_URL") else None
    by = f" (by {notification.actor})" if notification.actor else ""
    mail.set_content(f"{notification.text}{by}.\n\n" + (f"{link}\n\n" if link else "") +
                     "-- \nYou get this mail because of your notification settings on your account page.\n")
    return mail
