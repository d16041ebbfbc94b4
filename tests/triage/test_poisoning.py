"""The learned classifier cannot be poisoned quietly: a retrained model is deployed only if it scores at least
as well as the deployed one on held-out tickets (said in the command's output, the log and the dashboard,
with both scores); who gave each label is recorded; an admin can leave an actor's labels out. Both databases."""
import re

import sqlalchemy as sa

from tests.conftest import add_token
from tests.mail_in.test_mail_in import signed_in_as
from tests.triage.test_learned_classifier import UNSEALED, file_all
from ticketdesk.extensions import db
from ticketdesk.models import ClassifierModel, Ticket
from ticketdesk.triage.training import retrain

ROTATED = {"billing": "technical", "technical": "account", "account": "general", "general": "billing"}


def poison(app, token: str) -> int:
    """A write token relabels every ticket it can see with a wrong category; returns how many."""
    attacker = app.test_client()
    attacker.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    with app.app_context():
        tickets = db.session.execute(sa.select(Ticket.id, Ticket.category)).all()
    for ticket_id, category in tickets:
        assert attacker.patch(f"/api/tickets/{ticket_id}/", json={"category": ROTATED[category]}).status_code == 200
    return len(tickets)


def deployed_id(app) -> int:
    """The model suggestions use."""
    with app.app_context():
        return db.session.scalar(sa.select(ClassifierModel.id).where(ClassifierModel.deployed)
                                 .order_by(ClassifierModel.id.desc()).limit(1))


def test_a_poisoned_retraining_is_stored_but_not_deployed_and_says_why(app, client, runner, caplog):
    file_all(client, UNSEALED)
    assert "deployed model #1" in runner.invoke(args=["triage", "train"]).output
    poison(app, add_token(app, "integration"))
    with app.app_context():
        labelled_by = set(db.session.scalars(sa.select(Ticket.category_labelled_by)))
    assert labelled_by == {"token:integration"}  # every label now names who gave it

    result = runner.invoke(args=["triage", "train"])
    assert result.exit_code == 0
    said = re.search(r"model #2 scored category (\S+)%, priority \S+% on (\d+) held-out tickets, against the "
                     r"deployed model #1's category (\S+)%, priority \S+%: not deployed: model #1 stays", result.output)
    assert said, result.output
    assert float(said.group(1)) < float(said.group(3))
    assert "deployed model #2" not in result.output
    assert deployed_id(app) == 1  # suggestions still come from the model before the poisoning
    dashboard = signed_in_as(app, "viewer").get("/stats").text
    assert "not deployed: model #1 stays" in dashboard and said.group(1) in dashboard


def test_an_admin_leaves_an_actors_labels_out_and_the_next_training_learns_without_them(app, client, runner):
    file_all(client, UNSEALED)
    runner.invoke(args=["triage", "train"])
    poison(app, add_token(app, "integration"))
    admin = signed_in_as(app, "admin")
    page = admin.get("/admin/").text
    assert "token:integration" in page and "Leave out" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    admin.post("/admin/training/exclusions", data={"csrf_token": token, "actor": "token:integration"})
    assert "Left out" in admin.get("/admin/").text
    assert "token:integration" in runner.invoke(args=["triage", "exclusions"]).output

    result = runner.invoke(args=["triage", "train"])
    assert "labels from excluded actors left out" in result.output
    # every category label came from the excluded token, so nothing is left to learn categories from
    assert "nothing saved" in result.output and deployed_id(app) == 1

    assert "teach again" in runner.invoke(args=["triage", "include", "token:integration"]).output
    assert "no actor's labels are excluded" in runner.invoke(args=["triage", "exclusions"]).output


def test_labels_record_who_gave_them_on_every_path(app, client):
    created = client.post("/api/tickets/", json={"title": "Invoice", "description": "Charged twice",
                                                 "category": "billing", "priority": "auto"}).json
    with app.app_context():
        ticket = db.session.get(Ticket, created["id"])
        token_actor = ticket.created_by
        assert (ticket.category_labelled_by, ticket.priority_labelled_by) == (token_actor, None)  # auto: the desk's
        assert token_actor.startswith("token:")


def test_retraining_with_unchanged_labels_deploys_the_new_model(app, client):
    file_all(client, UNSEALED)
    with app.app_context():
        first, _ = retrain()
        second, report = retrain()
        assert first.deployed and second.deployed and report.deployed_id == first.id
        assert report.score == report.deployed_score  # the same tickets, the same model
