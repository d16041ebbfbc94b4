"""The SLA settings page (/admin/sla), on both databases: an admin keeps calendars and policies there with
the API's own rules (a refusal names the field and keeps what was typed, nothing half-saved), edits and
deletes them, and asks for open tickets to be recalculated; agents cannot open it."""
import re

from tests.mail_in.test_mail_in import signed_in_as
from tests.sla.test_clock import clock, iso, sla  # noqa: F401  (clock: a fixture)


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def post(client, path: str, **form):
    return client.post(path, data={"csrf_token": token(client.get("/admin/sla").get_data(as_text=True)), **form})


OFFICE = {"name": "Madrid office", "timezone": "Europe/Madrid", "hours": "mon-fri 09:00-14:00 15:00-18:00\nsat 10:00-13:00",
          "holidays": "2027-03-29 Easter Monday\n2027-12-25"}


def test_an_admin_keeps_calendars_and_policies_on_the_page(app, client):
    admin = signed_in_as(app, "admin")
    saved = post(admin, "/admin/sla/calendars", **OFFICE)
    assert saved.status_code == 302
    calendar = client.get("/api/business-hours/").json[0]
    assert (calendar["timezone"], calendar["week"]["mon"], calendar["week"]["sat"], calendar["holidays"]) == (
        "Europe/Madrid", [["09:00", "14:00"], ["15:00", "18:00"]], [["10:00", "13:00"]],
        [{"date": "2027-03-29", "name": "Easter Monday"}, {"date": "2027-12-25", "name": None}])
    assert post(admin, "/admin/sla/policies", name="Critical", position="0", priority=["critical"],
                category=["billing", "technical"], business_hours="Madrid office", first_response_minutes="60",
                resolution_minutes="480", tag="vip, urgent", requester_domain="Example.com").status_code == 302
    assert client.get("/api/sla-policies/").json == [{
        "id": client.get("/api/sla-policies/").json[0]["id"], "name": "Critical", "position": 0,
        "match": {"priority": ["critical"], "category": ["billing", "technical"], "tag": ["urgent", "vip"],
                  "requester_domain": ["example.com"]}, "business_hours": "Madrid office",
        "first_response_minutes": 60, "next_response_minutes": None, "resolution_minutes": 480}]
    page = admin.get("/admin/sla").get_data(as_text=True)
    assert "0. Critical" in page and "Madrid office" in page and "first response 60 min" in page

    policy_id = client.get("/api/sla-policies/").json[0]["id"]
    form = admin.get(f"/admin/sla?policy={policy_id}").get_data(as_text=True)  # the edit form, filled in
    assert 'value="vip, urgent"' in form or 'value="urgent, vip"' in form
    assert re.search(r'name="priority" value="critical" checked', form)
    assert post(admin, f"/admin/sla/policies/{policy_id}", name="Critical", position="0", priority=["critical"],
                business_hours="", first_response_minutes="30").status_code == 302
    changed = client.get(f"/api/sla-policies/{policy_id}/").json
    assert (changed["business_hours"], changed["first_response_minutes"], changed["resolution_minutes"],
            changed["match"]) == (None, 30, None, {"priority": ["critical"]})

    calendar_id = calendar["id"]
    assert post(admin, f"/admin/sla/calendars/{calendar_id}/delete").status_code == 302
    assert client.get("/api/business-hours/").json == []  # no policy counted in it any more
    assert post(admin, f"/admin/sla/policies/{policy_id}/delete").status_code == 302
    assert client.get("/api/sla-policies/").json == []


def test_a_refused_form_names_the_field_keeps_what_was_typed_and_saves_nothing(app, client):
    admin = signed_in_as(app, "admin")
    refused = post(admin, "/admin/sla/calendars", **{**OFFICE, "timezone": "Mars/Olympus",
                                                      "hours": "mon 18:00-09:00"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "timezone: &#39;Mars/Olympus&#39; is not an IANA time zone" in page
    assert "week.mon.0: 18:00–09:00 ends before it starts" in page
    assert 'value="Mars/Olympus"' in page and "mon 18:00-09:00</textarea>" in page
    assert post(admin, "/admin/sla/calendars", **{**OFFICE, "hours": "someday 09:00-10:00"}).status_code == 400
    assert client.get("/api/business-hours/").json == []

    no_target = post(admin, "/admin/sla/policies", name="Empty", priority=["low"])
    assert no_target.status_code == 400 and "Give at least one target in minutes." in no_target.get_data(as_text=True)
    post(admin, "/admin/sla/policies", name="Standard", first_response_minutes="60")
    taken = post(admin, "/admin/sla/policies", name="standard", first_response_minutes="abc")
    assert taken.status_code == 400 and "first_response_minutes: Not a valid integer." in taken.get_data(as_text=True)
    taken = post(admin, "/admin/sla/policies", name="standard", first_response_minutes="90")
    assert taken.status_code == 409 and "A policy called standard already exists." in taken.get_data(as_text=True)
    assert [p["name"] for p in client.get("/api/sla-policies/").json] == ["Standard"]


def test_the_page_recalculates_open_tickets_and_only_admins_open_it(app, client, make_ticket, clock):
    admin = signed_in_as(app, "admin")
    ticket = make_ticket()["id"]
    post(admin, "/admin/sla/policies", name="Standard", first_response_minutes="60")
    assert sla(client, ticket) is None  # filed before the policy
    done = post(admin, "/admin/sla/recalculate")
    assert done.status_code == 302 and "Recalculating" in admin.get("/admin/sla").get_data(as_text=True)
    with app.app_context():
        app.extensions["jobs"].run_pending()
    assert sla(client, ticket)["first_response_due_at"] == iso(minutes=60)
    assert signed_in_as(app, "viewer").get("/admin/sla").status_code == 403
