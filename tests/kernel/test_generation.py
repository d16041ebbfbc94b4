"""What a worker keeps of the desk's settings (SLA policies, business hours, routes to teams) is never older
than what the database holds: a change made on another worker applies to this worker's next ticket, a change
this transaction makes applies to its own tickets, a change rolled back is not kept. On both databases."""
import pytest
import sqlalchemy as sa

from tests.conftest import add_token, make_app
from ticketdesk.extensions import db
from ticketdesk.generation import READ
from ticketdesk.models import BusinessHours, SlaPolicy, Team, TeamRoute, Ticket
from ticketdesk.tickets.filing import file_ticket

NEW = {"title": "Card charged twice", "description": "The invoice shows two payments", "category": "billing",
       "priority": "high"}


def generation() -> int:
    return db.session.execute(READ).scalar()


@pytest.fixture
def workers(app, database_url_for_run):
    """Two workers of one desk: apps of their own on the same database, each with its own kept settings, and
    an admin token and a write token for both."""
    other = make_app(database_url_for_run, TICKETDESK_AUTH="required")
    admin, writer = add_token(app, "ops", "admin"), add_token(app, "api", "write")
    made = []
    for each in (app, other):
        for token in (admin, writer):
            client = each.test_client()
            client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
            made.append(client)
    yield made
    with other.app_context():
        db.engine.dispose()


def file(client, **fields) -> dict:
    response = client.post("/api/tickets/", json={**NEW, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_each_change_of_the_kept_settings_raises_the_generation(app):
    with app.app_context():
        team = Team(name="Billing", assignment="manual")
        db.session.add(team)
        db.session.commit()
        steps = [lambda: db.session.add(BusinessHours(name="Madrid", timezone="Europe/Madrid", week={}, holidays=[])),
                 lambda: db.session.add(SlaPolicy(name="Standard", position=1, match={}, first_response_minutes=60)),
                 lambda: db.session.execute(sa.update(SlaPolicy).values(first_response_minutes=30)),
                 lambda: db.session.add(TeamRoute(kind="category", value="billing", team_id=team.id)),
                 # deleting the team deletes its routes (by the foreign key, which the ORM does not see)
                 lambda: db.session.execute(sa.delete(Team)),
                 lambda: db.session.execute(sa.delete(SlaPolicy))]
        for step in steps:
            before = generation()
            step()
            db.session.commit()
            assert generation() > before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TeamRoute)) == 0
        before = generation()
        file_ticket(NEW, "agent@example.com", "agent")
        db.session.commit()
        assert generation() == before  # a ticket is no setting


def test_a_policy_or_route_made_on_another_worker_applies_to_the_next_ticket_here(workers):
    admin_here, here, admin_there, _ = workers
    assert file(here)["sla"] is None  # no policy yet: this worker keeps that
    made = admin_there.post("/api/sla-policies/", json={"name": "Standard", "first_response_minutes": 60})
    assert made.status_code == 201
    assert file(here)["sla"]["policy"] == "Standard"
    assert admin_there.patch(f"/api/sla-policies/{made.json['id']}/", json={"name": "Gold"}).status_code == 200
    assert file(here)["sla"]["policy"] == "Gold"
    assert admin_there.delete(f"/api/sla-policies/{made.json['id']}/").status_code == 204
    assert file(here)["sla"] is None

    assert file(here)["team"] is None
    team = admin_there.post("/api/teams/", json={"name": "Billing", "categories": ["billing"]})
    assert team.status_code == 201
    assert file(here)["team"] == {"id": team.json["id"], "name": "Billing"}
    assert admin_there.patch(f"/api/teams/{team.json['id']}/", json={"categories": []}).status_code == 200
    assert file(here)["team"] is None


def test_a_transaction_sees_its_own_change_and_a_change_rolled_back_is_not_kept(app):
    with app.app_context():
        assert file_ticket(NEW, None, "agent") is not None
        db.session.commit()  # this worker now keeps: no policy
        db.session.add(SlaPolicy(name="Standard", position=1, match={}, first_response_minutes=60))
        ticket = file_ticket(NEW, None, "agent")
        db.session.flush()
        db.session.commit()
        assert ticket.sla_state is not None and ticket.sla_state.policy.name == "Standard"

        db.session.execute(sa.delete(SlaPolicy))
        ticket = file_ticket(NEW, None, "agent")
        db.session.flush()
        from ticketdesk.sla.clock import before_commit
        before_commit(db.session())  # the clocks as this transaction would commit them: no policy, none
        assert ticket.sla_state is None
        db.session.rollback()  # ...and it does not: the policy stands
        ticket = file_ticket(NEW, None, "agent")
        db.session.commit()
        assert ticket.sla_state is not None and ticket.sla_state.policy.name == "Standard"


def test_an_unchanged_desk_files_a_ticket_without_reading_its_settings(app, workers):
    _, here, _, _ = workers
    file(here)  # this worker reads the settings once, and keeps them
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert file(here)["sla"] is None
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", note)
    assert any("INSERT INTO tickets" in sql for sql in statements)
    assert not [sql for sql in statements if "FROM sla_policies" in sql or "FROM team_routes" in sql]
