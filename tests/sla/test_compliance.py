"""The dashboard's SLA panel, on both databases, with time injected: the share of targets met over the last
7 and 30 days, overall, per policy and per team (the team whose queue the ticket was in when the target was
decided), and how many tickets are overdue or due within the hour right now."""
import re

from tests.conversations.test_messages import ANA
from tests.ownership.test_teams import admin, new_team  # noqa: F401  (a fixture)
from tests.sla.test_clock import clock, round_the_clock, say  # noqa: F401  (fixtures)


def panel(client) -> dict[str, list[str]]:
    """Each compliance row's cells as the page shows them, by its `data-compliance` key."""
    page = client.get("/stats").get_data(as_text=True)
    rows = re.findall(r'<tr data-compliance="([^"]+)">(.*?)</tr>', page, re.S)
    return {key: [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for key, row in rows}


def at_risk(client) -> tuple[str, str]:
    page = client.get("/stats").get_data(as_text=True)
    return (re.search(r'id="sla-overdue">([\d,]+)<', page)[1], re.search(r'id="sla-due-soon">([\d,]+)<', page)[1])


def test_compliance_counts_each_target_decided_in_its_window_per_policy_and_team(
        client, admin, make_ticket, clock, round_the_clock):
    new_team(admin)
    billing = make_ticket(requester=ANA)["id"]
    assert client.patch(f"/api/tickets/{billing}/", json={"team": "Billing"}).status_code == 200
    late = make_ticket(requester=ANA)["id"]
    clock.at(minutes=30)
    say(client, billing, "reply")  # first response met, in Billing's queue
    clock.at(minutes=90)
    client.patch(f"/api/tickets/{late}/", json={"priority": "low"})  # first response breached, no team
    clock.at(days=10)
    recent = make_ticket(requester=ANA)["id"]
    clock.at(days=10, minutes=10)
    say(client, recent, "reply")  # met, ten days later
    clock.at(days=10, minutes=30)
    make_ticket()  # its first response is due at +10 d 1 h 30 min
    clock.at(days=10, hours=1)

    assert panel(client) == {
        "overall:All targets": ["100 % (1 of 1)", "67 % (2 of 3)"],
        "policy:Standard": ["100 % (1 of 1)", "67 % (2 of 3)"],
        "team:(no team)": ["100 % (1 of 1)", "50 % (1 of 2)"],
        "team:Billing": ["none", "100 % (1 of 1)"]}
    # `late` is past its first response and resolution; the newest is due within the hour
    assert at_risk(client) == ("1", "1")
    clock.at(days=45)  # all decided over a month ago: out of both windows
    assert panel(client) == {"overall:All targets": ["none", "none"]}


def test_a_desk_without_policies_says_nothing_is_due(client):
    page = client.get("/stats").get_data(as_text=True)
    assert "No SLA policy yet" in page and 'id="sla-compliance"' not in page
