"""Calendars of business hours, on both databases: admins keep them through the API (a session or an admin
token) and the shell; everyone who reads tickets reads them; what cannot work is refused by field, and a
saved calendar counts exactly the hours it was given."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.ownership.test_teams import admin  # noqa: F401  (a fixture)
from ticketdesk.extensions import db
from ticketdesk.models import AdminEvent, BusinessHours
from ticketdesk.sla.business_time import add
from ticketdesk.sla.calendars import calendar_of

MADRID = {"name": "Madrid office", "timezone": "Europe/Madrid",
          "week": {"mon": [["15:00", "18:00"], ["09:00", "14:00"]], "tue": [["09:00", "14:00"]], "sun": []},
          "holidays": ["2027-03-29", {"date": "2026-12-25", "name": " Christmas "}, "2027-03-29"]}


def test_an_admin_keeps_a_calendar_and_it_counts_the_hours_it_was_given(app, admin, client):
    made = admin.post("/api/business-hours/", json=MADRID)
    assert made.status_code == 201, made.json
    assert made.json == {"id": made.json["id"], "name": "Madrid office", "timezone": "Europe/Madrid",
                         "week": {"mon": [["09:00", "14:00"], ["15:00", "18:00"]], "tue": [["09:00", "14:00"]],
                                  "wed": [], "thu": [], "fri": [], "sat": [], "sun": []},
                         "holidays": [{"date": "2026-12-25", "name": "Christmas"}, {"date": "2027-03-29", "name": None}]}
    path = f"/api/business-hours/{made.json['id']}/"
    assert client.get(path).json == made.json and client.get("/api/business-hours/").json == [made.json]
    with app.app_context():  # Friday evening + 4 h: Monday the 29th is a holiday, Tuesday 09:00-13:00 (CEST)
        calendar = calendar_of(db.session.get(BusinessHours, made.json["id"]))
        due = add(calendar, datetime(2027, 3, 26, 17, tzinfo=timezone.utc), timedelta(hours=4))
        assert due == datetime(2027, 3, 30, 11, tzinfo=timezone.utc)
    changed = admin.patch(path, json={"holidays": [], "name": "Madrid"})
    assert changed.status_code == 200 and (changed.json["name"], changed.json["holidays"]) == ("Madrid", [])
    assert changed.json["week"] == made.json["week"]  # what was not sent is kept
    assert admin.delete(path).status_code == 204 and client.get(path).status_code == 404
    with app.app_context():
        assert [e.action for e in db.session.query(AdminEvent).order_by(AdminEvent.id)] == [
            "create business hours", "change business hours", "delete business hours"]


@pytest.mark.parametrize("body, status, errors", [
    ({"timezone": "Mars/Olympus"}, 400, {"timezone": ["'Mars/Olympus' is not an IANA time zone, such as Europe/Madrid."]}),
    ({"week": {"mon": [["14:00", "09:00"]]}}, 400,
     {"week": {"mon": {"0": ["14:00–09:00 ends before it starts: an interval ends later the same day."]}}}),
    ({"week": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}}, 400,
     {"week": {"mon": ["Its intervals overlap: give each stretch once."]}}),
    ({"week": {"mon": [["9:00", "25:00"]]}}, 400,
     {"week": {"mon": {"0": ['An interval is two times of day, such as ["09:00", "14:00"].']}}}),
    ({"week": {"monday": []}}, 400, {"week": {"monday": ["Unknown field."]}}),
    ({"week": {"sat": []}}, 400, {"week": ["Give some hours: a calendar without any never counts a minute."]}),
    ({"holidays": ["2026-02-30"]}, 400, {"holidays": {"0": ["'2026-02-30' is not a date (YYYY-MM-DD)."]}}),
    ({"name": "Round the clock\r\nBcc: x"}, 400, {"name": [
        "Control characters (such as line breaks or direction overrides) are not allowed."]}),
    ({"name": "madrid OFFICE"}, 409, {"name": ["Business hours called madrid OFFICE already exist."]}),
    ({"name": "24/7"}, 409, {"name": ["Business hours called 24/7 already exist."]}),
])
def test_a_calendar_that_cannot_work_is_refused_by_field_and_nothing_is_written(admin, body, status, errors):
    assert admin.post("/api/business-hours/", json=MADRID).status_code == 201
    answer = admin.post("/api/business-hours/", json={**MADRID, **body})
    assert (answer.status_code, answer.json) == (status, errors)
    assert len(admin.get("/api/business-hours/").json) == 1


def test_only_admins_change_calendars(client, admin):
    assert client.post("/api/business-hours/", json=MADRID).status_code == 403  # a write token
    made = admin.post("/api/business-hours/", json=MADRID).json
    assert client.patch(f"/api/business-hours/{made['id']}/", json={"name": "x"}).status_code == 403
    assert client.delete(f"/api/business-hours/{made['id']}/").status_code == 403


def test_operators_keep_calendars_as_code(app, runner):
    made = runner.invoke(args=["business-hours", "create", "Tokyo desk", "--timezone", "Asia/Tokyo",
                               "--hours", "mon-fri 09:00-12:00 13:00-18:00", "--hours", "sat 10:00-13:00",
                               "--holiday", "2027-01-01"])
    assert made.exit_code == 0, made.output
    assert "Business hours Tokyo desk created (Asia/Tokyo)." in made.output
    listed = runner.invoke(args=["business-hours", "list"]).output
    assert "Tokyo desk\tAsia/Tokyo\tmon 09:00-12:00 13:00-18:00;" in listed and "sat 10:00-13:00\t1 holidays" in listed
    refused = runner.invoke(args=["business-hours", "create", "Bad", "--timezone", "Asia/Tokyo", "--hours",
                                  "weekdays 09:00-12:00"])
    assert refused.exit_code != 0 and "'weekdays' is not a day or range of days" in refused.output
    overlapping = runner.invoke(args=["business-hours", "create", "Bad", "--timezone", "Asia/Tokyo", "--hours",
                                      "mon 09:00-12:00 11:00-13:00"])
    assert overlapping.exit_code == 1 and "overlap" in overlapping.output
    assert runner.invoke(args=["business-hours", "delete", "Tokyo desk"]).exit_code == 0
    assert runner.invoke(args=["business-hours", "delete", "Tokyo desk"]).exit_code == 1
    with app.app_context():
        assert db.session.query(BusinessHours).count() == 0
        assert db.session.query(AdminEvent).filter(AdminEvent.actor.like("shell:%")).count() == 2
