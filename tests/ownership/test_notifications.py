"""Notifications, on both databases: who is told of what (and never of their own action), one per agent for
a bulk change, in the desk and through the API, and by mail through the job engine to a real SMTP server,
each mail sent once however many workers take the job."""
import sqlalchemy as sa

from tests.conftest import AGENT_EMAIL, add_token
from tests.mail_in.test_mail_in import eml
from tests.mail_out.test_mail_out import build_desk, run_jobs
from tests.ownership.test_teams import TICKET, agents
from tests.tickets.test_pages import csrf_token
from ticketdesk.extensions import db
from ticketdesk.mail_in.intake import ingest
from ticketdesk.models import Notification, User
from ticketdesk.ownership.notifications import mail_notification
from ticketdesk.ownership.teams import save_team


def told(app, email: str) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(sa.select(Notification.kind, Notification.text).join(
            User, User.id == Notification.user_id).where(User.email == email).order_by(Notification.id)).all()
    return [tuple(r) for r in rows]


def browser_of(app, email: str):
    from tests.conftest import sign_in
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email))
    client = app.test_client()
    sign_in(client, user_id)
    return client


def test_each_agent_is_told_what_concerns_them_and_nobody_of_their_own_action(app, client, make_ticket):
    ana, ben = agents(app, "ana", "ben")
    with app.app_context():
        save_team("test", None, {"name": "Billing", "members": [ana, ben]})
        db.session.commit()
    ticket = make_ticket(title="Invoice wrong", requester={"email": "cust@example.com"})
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": ana})
    assert told(app, ana) == [("assigned", f"#{ticket['id']} Invoice wrong is yours now")]
    client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "customer", "body": "Any news?"})
    assert told(app, ana)[-1] == ("answered", f"The customer answered #{ticket['id']} Invoice wrong")
    assert told(app, ben) == []  # it is ana's: her team is not told
    client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "note", "body": "@Ben and @ana@example.com: look"})
    assert told(app, ben) == [("mentioned", f"You were mentioned on #{ticket['id']} Invoice wrong")]
    assert told(app, ana)[-1][0] == "mentioned"
    # nobody owns this one: a customer's answer tells the team
    unowned = make_ticket(title="Refund", requester={"email": "cust@example.com"})
    client.patch(f"/api/tickets/{unowned['id']}/", json={"team": "Billing"})
    client.post(f"/api/tickets/{unowned['id']}/messages/", json={"kind": "customer", "body": "Hello?"})
    assert told(app, ben)[-1] == ("answered", f"The customer answered #{unowned['id']} Refund")
    # ana takes one herself: she is not told of her own action
    before = len(told(app, ana))
    mine = make_ticket()
    browser_of(app, ana).patch(f"/api/tickets/{mine['id']}/", json={"assignee": ana},
                               headers={"X-CSRFToken": csrf_token(browser_of(app, ana).get("/tickets/new").get_data(as_text=True))})
    assert len(told(app, ana)) == before


def test_mentions_are_suggested_by_email_name_or_a_word_of_it_and_each_names_one_agent(app, client, make_ticket):
    ana, anton, ben = agents(app, "ana", "anton", "ben")
    with app.app_context():
        for email, name in ((ana, "Ana Lima"), (anton, None), (ben, "Benedikt Ansel")):
            db.session.scalar(sa.select(User).where(User.email == email)).name = name
        db.session.scalar(sa.select(User).where(User.email == anton)).active = False  # gone: not offered
        db.session.commit()
    offered = lambda q: [a["email"] for a in client.get("/api/agents/", query_string={"q": q}).json]  # noqa: E731
    assert offered("an") == [ana, ben]  # ana by her email, ben by the second word of his name
    assert offered("@LIMA") == [ana] and offered("be") == [ben] and offered("") == [] and offered("%") == []
    suggestion, = client.get("/api/agents/?q=ana").json
    assert suggestion == {"email": ana, "name": "Ana Lima", "mention": f"@{ana}"}
    ticket = make_ticket()  # the suggested mention, written in a note, tells that agent and nobody else
    client.post(f"/api/tickets/{ticket['id']}/messages/", json={"kind": "note", "body": f"{suggestion['mention']} see"})
    assert [kind for kind, _ in told(app, ana)] == ["mentioned"] and told(app, ben) == []


def test_a_bulk_assignment_tells_each_agent_once_and_new_tickets_only_those_who_asked(app, client, make_ticket):
    ana, ben = agents(app, "ana", "ben")
    with app.app_context():
        save_team("test", None, {"name": "Billing", "members": [ana, ben], "categories": ["billing"]})
        db.session.execute(sa.update(User).where(User.email == ben).values(new_ticket_alerts=True))
        db.session.commit()
    ids = [make_ticket(category="technical")["id"] for _ in range(5)]
    client.post("/api/tickets/bulk/", json={"ids": ids, "set": {"assignee": ana}})
    assert told(app, ana) == [("assigned", "5 tickets are yours now")]
    routed = client.post("/api/tickets/", json=TICKET).json  # billing: routed to the team
    assert told(app, ben) == [("new_ticket", f"New in your team: #{routed['id']} Charged twice")]
    assert [k for k, _ in told(app, ana)] == ["assigned"]  # ana did not ask for new tickets


def test_an_agent_reads_notifications_in_the_desk_and_through_the_api(app, client, make_ticket):
    ticket = make_ticket(title="Printer")
    other = add_token(app, "crm")
    crm = app.test_client()
    crm.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {other}"
    crm.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": AGENT_EMAIL})
    browser = browser_of(app, AGENT_EMAIL)
    body = browser.get("/api/notifications/").json
    assert body["unread"] == 1 and body["notifications"][0]["text"] == f"#{ticket['id']} Printer is yours now"
    assert body["notifications"][0]["url"] == f"/tickets/{ticket['id']}" and body["notifications"][0]["actor"] == "token:crm"
    page = browser.get("/notifications").get_data(as_text=True)
    assert f"#{ticket['id']} Printer is yours now" in page and "<strong>new</strong>" in page
    csrf = csrf_token(browser.get("/tickets/new").get_data(as_text=True))
    assert browser.post("/api/notifications/read/", json={}, headers={"X-CSRFToken": csrf}).json == {"unread": 0}
    assert "<strong>new</strong>" not in browser.get("/notifications").get_data(as_text=True)
    assert client.get("/api/notifications/").status_code == 400  # a token has none of its own


def test_notifications_come_by_mail_once_as_each_agent_chose(database_url_for_run, mailbox):
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM="Support <support@example.com>",
                             DESK_URL="https://desk.example.com/")
    ana, ben = agents(app, "ana", "ben")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == ben).values(mail_notifications="mentioned"))
        db.session.commit()
    ticket = client.post("/api/tickets/", json=TICKET).json
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": ana})
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": ben})  # ben mails only mentions
    run_jobs(app)
    assert [m["To"] for m in mailbox.received] == [ana]
    mail = mailbox.received[0]
    assert mail["Subject"] == f"#{ticket['id']} Charged twice is yours now"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert f"https://desk.example.com/tickets/{ticket['id']}" in mail.get_content()
    with app.app_context():
        first = db.session.scalars(sa.select(Notification).order_by(Notification.id)).first()
        assert first.mail_state == "sent"
        assert mail_notification(first.id) == "not queued"  # a second worker with the same job sends nothing
    assert len(mailbox.received) == 1
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_customer_mail_tells_the_owner(database_url_for_run):
    app, client = build_desk(database_url_for_run)
    ana, = agents(app, "ana")
    with app.app_context():
        said = ingest(eml("new-plain.eml")).said
    ticket_id = int(said.removeprefix("created ticket #"))
    client.patch(f"/api/tickets/{ticket_id}/", json={"assignee": ana})
    with app.app_context():
        reply = eml("new-plain.eml").replace(b"Message-ID: <", b"Message-ID: <again-").replace(
            b"Subject: ", f"Subject: [#{ticket_id}] ".encode(), 1)
        assert ingest(reply).said == f"added to ticket #{ticket_id}"
    assert told(app, ana)[-1][0] == "answered"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_an_agent_chooses_on_their_account_page_what_comes_by_mail(app, client):
    csrf = csrf_token(client.get("/tickets/new").get_data(as_text=True))
    page = client.get("/account").get_data(as_text=True)
    assert 'id="mail-assigned" name="mail_assigned" value="1" checked' in page
    client.post("/account/notifications", data={"csrf_token": csrf, "mail_mentioned": "1", "new_ticket_alerts": "1"})
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == AGENT_EMAIL)).one()
        assert (user.mail_notifications, user.new_ticket_alerts) == ("mentioned", True)


def test_a_notification_mail_whose_job_was_lost_is_sent_by_the_sweep(database_url_for_run, mailbox):
    from datetime import timedelta
    from ticketdesk.models import utcnow
    from ticketdesk.ownership.notifications import sweep
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM="support@example.com",
                             MAIL_SWEEP_SECONDS=60)
    ana, = agents(app, "ana")
    ticket = client.post("/api/tickets/", json=TICKET).json
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": ana})
    with app.app_context():
        app.extensions["jobs"].huey.flush()  # the queue lost its jobs (a restart)
        assert app.extensions["jobs"].run_pending() == 0 and mailbox.received == []
        assert sweep() == 0  # not overdue yet: its job may still come
        db.session.execute(sa.update(Notification).values(created_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        assert sweep() == 1
    run_jobs(app)
    assert [m["To"] for m in mailbox.received] == [ana]
    with app.app_context():
        assert sweep() == 0  # sent: nothing left to sweep
        db.session.remove()
        db.engine.dispose()


def test_a_notification_mail_whose_worker_died_sending_it_is_sent_once_its_claim_runs_out(database_url_for_run,
                                                                                          mailbox):
    from datetime import timedelta
    from ticketdesk.models import utcnow
    from ticketdesk.ownership.notifications import sweep
    app, client = build_desk(database_url_for_run, SMTP_URL=mailbox.url, MAIL_FROM="support@example.com",
                             MAIL_SWEEP_SECONDS=60, MAIL_CLAIM_SECONDS=120)
    ana, = agents(app, "ana")
    ticket = client.post("/api/tickets/", json=TICKET).json
    client.patch(f"/api/tickets/{ticket['id']}/", json={"assignee": ana})
    with app.app_context():
        app.extensions["jobs"].huey.flush()
        # a worker claimed it a few minutes ago and died before it sent anything
        claimed = utcnow() + timedelta(seconds=60)
        db.session.execute(sa.update(Notification).values(created_at=utcnow() - timedelta(minutes=5),
                                                          mail_state="sending", claimed_until=claimed))
        db.session.commit()
        assert sweep() == 0 and mail_notification(1) == "not queued"  # its claim still holds: nobody takes it
        db.session.execute(sa.update(Notification).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert sweep() == 1
    run_jobs(app)
    assert [m["To"] for m in mailbox.received] == [ana]
    with app.app_context():
        assert db.session.scalar(sa.select(Notification.mail_state)) == "sent"
        assert sweep() == 0 and mail_notification(1) == "not queued"  # sent: never again
        db.session.remove()
        db.engine.dispose()
