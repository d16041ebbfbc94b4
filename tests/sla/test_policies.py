"""SLA policies, on both databases: admins keep them through the API and the shell; the first by position
whose every condition holds is the one a ticket falls under; what cannot work is refused by field."""
import pytest

from tests.ownership.test_teams import admin, new_team  # noqa: F401  (admin: a fixture)
from tests.sla.test_business_hours import MADRID
from ticketdesk.extensions import db
from ticketdesk.sla.policies import all_policies, policy_for

CRITICAL = {"name": "Critical", "match": {"priority": ["critical"]}, "business_hours": None,
            "first_response_minutes": 60, "next_response_minutes": 240, "resolution_minutes": 2880}


def test_an_admin_keeps_policies_in_the_order_they_are_tried(app, admin, client):
    new_team(admin)  # Billing
    admin.post("/api/business-hours/", json=MADRID)
    made = admin.post("/api/sla-policies/", json=CRITICAL)
    assert made.status_code == 201, made.json
    assert made.json == {"id": made.json["id"], "position": 1, **CRITICAL}
    vip = admin.post("/api/sla-policies/", json={
        "name": "VIP billing", "position": 0, "business_hours": "Madrid office", "first_response_minutes": 30,
        "match": {"team": ["Billing"], "tag": ["VIP"], "requester_domain": ["Example.COM"]}}).json
    assert vip["match"] == {"team": ["Billing"], "tag": ["vip"], "requester_domain": ["example.com"]}
    assert [p["name"] for p in client.get("/api/sla-policies/").json] == ["VIP billing", "Critical"]
    billing = admin.get("/api/teams/").json[0]
    admin.patch(f"/api/teams/{billing['id']}/", json={"name": "Money"})  # kept by id: renaming keeps it
    assert client.get(f"/api/sla-policies/{vip['id']}/").json["match"]["team"] == ["Money"]
    changed = admin.patch(f"/api/sla-policies/{made.json['id']}/", json={"position": 5, "resolution_minutes": None})
    assert (changed.json["position"], changed.json["resolution_minutes"], changed.json["first_response_minutes"]) == (
        5, None, 60)
    assert admin.delete(f"/api/sla-policies/{made.json['id']}/").status_code == 204
    assert client.get(f"/api/sla-policies/{made.json['id']}/").status_code == 404
    # a calendar a policy counts in is kept until the policy has other hours
    calendar = admin.get("/api/business-hours/").json[0]
    kept = admin.delete(f"/api/business-hours/{calendar['id']}/")
    assert kept.status_code == 409 and "VIP billing" in kept.json["business_hours"][0]
    admin.patch(f"/api/sla-policies/{vip['id']}/", json={"business_hours": None})
    assert admin.delete(f"/api/business-hours/{calendar['id']}/").status_code == 204


@pytest.mark.parametrize("body, status, errors", [
    ({"first_response_minutes": None, "next_response_minutes": None, "resolution_minutes": None}, 400,
     {"first_response_minutes": ["Give at least one target in minutes."]}),
    ({"resolution_minutes": 0}, 400, {"resolution_minutes": ["Must be greater than or equal to 1 and less than or "
                                                             "equal to 527040."]}),
    ({"business_hours": "Lisbon"}, 400, {"business_hours": ["No business hours are called Lisbon."]}),
    ({"match": {"team": ["Sales"]}}, 400, {"match.team": ["No team is called Sales."]}),
    ({"match": {"tag": ["no tag!"]}}, 400, {"match.tag": ["'no tag!' is not a tag: a tag is 1 to 40 letters, digits, "
                                                          "- and _."]}),
    ({"match": {"requester_domain": ["not a domain"]}}, 400,
     {"match": {"requester_domain": {"0": ["'not a domain' is not a mail domain, such as example.com."]}}}),
    ({"match": {"colour": ["red"]}}, 400, {"match": {"colour": ["Unknown field."]}}),
    ({"name": "CRITICAL"}, 409, {"name": ["A policy called CRITICAL already exists."]}),
])
def test_a_policy_that_cannot_work_is_refused_by_field_and_nothing_is_written(admin, body, status, errors):
    assert admin.post("/api/sla-policies/", json=CRITICAL).status_code == 201
    answer = admin.post("/api/sla-policies/", json={**CRITICAL, "name": "Other", **body})
    assert (answer.status_code, answer.json) == (status, errors)
    assert len(admin.get("/api/sla-policies/").json) == 1


def test_only_admins_change_policies(client, admin):
    assert client.post("/api/sla-policies/", json=CRITICAL).status_code == 403
    made = admin.post("/api/sla-policies/", json=CRITICAL).json
    assert client.patch(f"/api/sla-policies/{made['id']}/", json={"name": "x"}).status_code == 403
    assert client.delete(f"/api/sla-policies/{made['id']}/").status_code == 403


def test_a_ticket_falls_under_the_first_policy_whose_every_condition_holds(app, admin):
    billing = new_team(admin)["id"]
    for body in ({"name": "VIP billing", "match": {"team": ["Billing"], "tag": ["vip", "gold"]}},
                 {"name": "Acme", "match": {"requester_domain": ["acme.example"], "category": ["technical"]}},
                 {"name": "Urgent", "match": {"priority": ["critical", "high"]}},
                 {"name": "Everyone else", "match": {}}):
        assert admin.post("/api/sla-policies/", json={**body, "resolution_minutes": 60}).status_code == 201
    with app.app_context():
        policies = all_policies()
        which = lambda **t: policy_for(policies, **{"priority": "low", "category": "general", "team_id": None,  # noqa: E731
                                                    "tags": set(), "requester": None, **t}).name
        assert which(team_id=billing, tags={"gold", "x"}, priority="critical") == "VIP billing"
        assert which(team_id=billing, priority="critical") == "Urgent"  # no tag of the first: the next that fits
        assert which(requester="ops@ACME.example", category="technical") == "Acme"
        assert which(requester="ops@mail.acme.example", category="technical") == "Everyone else"  # a subdomain
        assert which(requester="ops@acme.example") == "Everyone else"  # not technical
        db.session.remove()


def test_operators_keep_policies_as_code(app, runner, admin):
    admin.post("/api/business-hours/", json=MADRID)
    made = runner.invoke(args=["sla-policies", "create", "Critical", "--priority", "critical", "--business-hours",
                               "Madrid office", "--first-response", "60", "--resolution", "480"])
    assert made.exit_code == 0, made.output
    assert "SLA policy Critical created (position 1)." in made.output
    listed = runner.invoke(args=["sla-policies", "list"]).output
    assert "1\tCritical\t{'priority': ['critical']}\tMadrid office\tfirst response 60 min, resolution 480 min" in listed
    refused = runner.invoke(args=["sla-policies", "create", "Nothing", "--priority", "low"])
    assert refused.exit_code == 1 and "Give at least one target in minutes." in refused.output
    kept = runner.invoke(args=["business-hours", "delete", "Madrid office"])
    assert kept.exit_code == 1 and "is the calendar of Critical" in kept.output
    assert runner.invoke(args=["sla-policies", "delete", "Critical"]).exit_code == 0
    assert runner.invoke(args=["sla-policies", "list"]).output == ""


@pytest.mark.parametrize("path, body", [
    ("/api/sla-policies/", {"resolution_minutes": 60}),
    ("/api/business-hours/", {"timezone": "UTC", "week": {"mon": [["09:00", "17:00"]]}})])
def test_a_name_taken_in_letters_the_database_folds_differently_is_a_409_not_a_500(admin, path, body):
    """Found by the API fuzz: "İ" lower-cases to two characters in Python and stays itself in the database,
    so a check that lower-cased each side apart missed the copy, and the unique key refused it as a 500."""
    assert admin.post(path, json={**body, "name": "İ"}).status_code == 201
    again = admin.post(path, json={**body, "name": "\u2003İ"})
    assert again.status_code == 409 and "name" in again.json
    assert len(admin.get(path).json) == 1
