"""Calendars of business hours, as admins keep them: saved checked (by the schema) and unique by name, read
as the arithmetic's Calendar. 24/7 is built in (no row): a policy without a calendar counts every minute."""
import re
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..auth.manage import record
from ..extensions import db
from ..models import BusinessHours, SlaPolicy
from .business_time import ALWAYS, WEEKDAYS, Calendar
from ..ownership.refusals import Refused
from .schemas import clock_of, minutes_of

ROUND_THE_CLOCK = "24/7"
DAYS = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)(?:-(mon|tue|wed|thu|fri|sat|sun))?")


def all_calendars() -> list[BusinessHours]:
    return list(db.session.scalars(sa.select(BusinessHours).order_by(sa.func.lower(BusinessHours.name))))


def named(name: str, field: str = "business_hours") -> BusinessHours:
    found = db.session.scalars(sa.select(BusinessHours).where(BusinessHours.name == name.strip())).first()
    if found is None:
        raise Refused(field, f"No business hours are called {name.strip()}.")
    return found


def save_calendar(actor: str, row: BusinessHours | None, data: dict) -> BusinessHours:
    """A new calendar (`row` None) or `row` changed by `data` (checked by the schema: week intervals as
    minutes). A name another calendar has, or the built-in 24/7's, is refused (409). The caller commits."""
    created = row is None
    row = row or BusinessHours(week={}, holidays=[])
    name = data.get("name", row.name)
    if name.lower() == ROUND_THE_CLOCK or db.session.scalar(sa.select(BusinessHours.id).where(
            sa.func.lower(BusinessHours.name) == sa.func.lower(name), BusinessHours.id != (row.id or 0))) is not None:
        raise Refused("name", f"Business hours called {name} already exist.", 409)
    if "name" in data:
        row.name = name
    if "timezone" in data:
        row.timezone = data["timezone"]
    if "week" in data:
        row.week = {day: [[clock_of(a), clock_of(b)] for a, b in sorted(data["week"].get(day, []))]
                    for day in WEEKDAYS}
    if "holidays" in data:
        row.holidays = sorted({h["date"]: h for h in data["holidays"]}.values(), key=lambda h: h["date"])
    row.updated_by = actor
    db.session.add(row)
    db.session.flush()
    record(actor, "create business hours" if created else "change business hours", row.name,
           f"{row.timezone}; {hours_said(row.week)}"[:254])
    return row


def delete_calendar(actor: str, row: BusinessHours) -> None:
    """Refused (409) while a policy counts in it: its tickets' due times would lose their meaning."""
    using = db.session.scalars(sa.select(SlaPolicy.name).where(SlaPolicy.business_hours_id == row.id)).all()
    if using:
        raise Refused("business_hours", f"{row.name} is the calendar of {', '.join(sorted(using))}: give those "
                      "policies other hours first.", 409)
    db.session.delete(row)
    record(actor, "delete business hours", row.name)


def hours_said(week: dict) -> str:
    """A week's hours on one line: `mon 09:00-14:00 15:00-18:00; tue 09:00-14:00`."""
    return "; ".join(f"{day} {' '.join(f'{a}-{b}' for a, b in hours)}" for day, hours in week.items() if hours)


def week_of(specs) -> dict:
    """`["mon-fri 09:00-14:00 15:00-18:00", "sat 10:00-13:00"]` (the shell's and the page's way to write
    hours) as the API's week, for the schema to check; ValueError naming a day that is not one."""
    week = {}
    for spec in specs:
        if not spec.strip():
            continue
        days, *spans = spec.split()
        for part in days.lower().split(","):
            if not (found := DAYS.fullmatch(part)):
                raise ValueError(f"{part[:20]!r} is not a day or range of days, such as mon-fri.")
            first, last = WEEKDAYS.index(found[1]), WEEKDAYS.index(found[2] or found[1])
            for day in WEEKDAYS[first:last + 1]:
                week.setdefault(day, []).extend(span.split("-", 1) for span in spans)
    return week


def calendar_json(row: BusinessHours) -> dict:
    return {"id": row.id, "name": row.name, "timezone": row.timezone, "week": row.week, "holidays": row.holidays}


def calendar_of(row: BusinessHours | None) -> Calendar:
    """The arithmetic's calendar for `row` (None: 24/7)."""
    if row is None:
        return ALWAYS
    week = tuple(tuple((minutes_of(a), minutes_of(b)) for a, b in row.week.get(day, [])) for day in WEEKDAYS)
    return Calendar(ZoneInfo(row.timezone), week, frozenset(date.fromisoformat(h["date"]) for h in row.holidays))
