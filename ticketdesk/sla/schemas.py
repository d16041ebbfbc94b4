"""What the SLA API reads and answers: calendars of business hours and SLA policies."""
import functools
import re
from datetime import date
from zoneinfo import ZoneInfoNotFoundError, available_timezones

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates, validates_schema

from ..models import CALENDAR_NAME_MAX, CATEGORIES, POLICY_NAME_MAX, PRIORITIES, SLA_TARGETS, TAG_MAX, TEAM_NAME_MAX
from ..schemas import Choice, Name, Text
from .business_time import DAY_MINUTES, WEEKDAYS

HOLIDAYS_MAX = 400
INTERVALS_MAX = 8  # a day's intervals
CLOCK = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")


def minutes_of(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def clock_of(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


CLOCK_SCHEMA = {"type": "string", "pattern": f"^({CLOCK.pattern})$"}
DATE_SCHEMA = {"type": "string", "format": "date"}


class Interval(fields.Field):
    """["09:00", "14:00"]: from a wall-clock time to a later one (`24:00` is the day's end)."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"type": "array", "items": CLOCK_SCHEMA, "minItems": 2, "maxItems": 2,
                                   "description": "From a time of day to a later one (`24:00` ends the day)."},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) and CLOCK.fullmatch(v)
                                                                        for v in value)):
            raise ValidationError('An interval is two times of day, such as ["09:00", "14:00"].')
        start, end = map(minutes_of, value)
        if start >= end or start >= DAY_MINUTES:
            raise ValidationError(f"{value[0]}–{value[1]} ends before it starts: an interval ends later the same day.")
        return start, end


class WeekSchema(Schema):
    """Each weekday's intervals, in the calendar's own wall-clock time; a day left out, or `[]`, has none."""

    class Meta:
        unknown = RAISE

    locals().update({day: fields.List(Interval(), load_default=list, validate=validate.Length(max=INTERVALS_MAX))
                     for day in WEEKDAYS})

    @validates_schema
    def _apart(self, data, **_kwargs):
        for day in WEEKDAYS:
            hours = sorted(data.get(day, []))
            for (_, end), (start, _) in zip(hours, hours[1:]):
                if start < end:
                    raise ValidationError("Its intervals overlap: give each stretch once.", day)


class Holiday(fields.Field):
    """`"2026-12-25"` or `{"date": "2026-12-25", "name": "Christmas"}`: a local date with no hours."""

    def __init__(self, **kwargs):
        super().__init__(metadata={"anyOf": [DATE_SCHEMA, {
            "type": "object", "required": ["date"], "additionalProperties": False,
            "properties": {"date": DATE_SCHEMA, "name": {"type": ["string", "null"], "maxLength": 100}}}]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        given = value if isinstance(value, dict) else {"date": value, "name": None}
        if set(given) - {"date", "name"} or not isinstance(given.get("date"), str):
            raise ValidationError('A holiday is a date ("2026-12-25") or {"date": "2026-12-25", "name": "…"}.')
        try:
            day = date.fromisoformat(given["date"])
        except ValueError:
            raise ValidationError(f"{given['date'][:20]!r} is not a date (YYYY-MM-DD).") from None
        name = given.get("name")
        if name is not None and (not isinstance(name, str) or len(name.strip()) > 100):
            raise ValidationError("A holiday's name is text of at most 100 characters.")
        return {"date": day.isoformat(), "name": name.strip() or None if name else None}


class BusinessHoursSchema(Schema):
    """What `POST`/`PATCH /api/business-hours/` read."""

    class Meta:
        unknown = EXCLUDE

    name = Name(CALENDAR_NAME_MAX, required=True)
    timezone = fields.String(required=True, metadata={"description": "An IANA time zone, such as Europe/Madrid."})
    week = fields.Nested(WeekSchema, required=True, metadata={
        "description": 'Each weekday\'s hours (`mon` … `sun`), such as {"mon": [["09:00", "14:00"], '
                       '["15:00", "18:00"]], "sun": []}; a day left out has none.'})
    holidays = fields.List(Holiday(), load_default=list, validate=validate.Length(max=HOLIDAYS_MAX), metadata={
        "description": "Local dates with no hours: `\"2026-12-25\"` or `{\"date\": \"2026-12-25\", \"name\": "
                       "\"Christmas\"}`."})

    @validates("timezone")
    def _known(self, value, **_kwargs):
        if value not in zones():
            raise ValidationError(f"{value[:64]!r} is not an IANA time zone, such as Europe/Madrid.")

    @validates_schema
    def _some_hours(self, data, **_kwargs):
        if "week" in data and not any(data["week"].values()):
            raise ValidationError("Give some hours: a calendar without any never counts a minute.", "week")


@functools.cache
def zones() -> set[str]:
    """The zones zoneinfo knows (read from disk once per process)."""
    try:
        return available_timezones()
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata is a dependency
        return {"UTC"}


class BusinessHoursJsonSchema(Schema):
    """A calendar as the API answers it (`calendars.calendar_json`)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    week = fields.Dict(keys=fields.String(validate=validate.OneOf(WEEKDAYS)),
                       values=fields.List(fields.List(fields.String())), required=True, metadata={
                           "description": "Every weekday, Monday first, with its intervals (`[]`: none)."})
    holidays = fields.List(fields.Nested(Schema.from_dict({"date": fields.Date(required=True),
                                                           "name": fields.String(required=True, allow_none=True)},
                                                          name="HolidayJson")), required=True, metadata={
        "description": "By date."})


business_hours_schema = BusinessHoursSchema()
business_hours_patch_schema = BusinessHoursSchema(partial=True)


TARGET_MAX = 366 * 24 * 60  # a year of minutes
DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _domain(value: str) -> None:
    if not DOMAIN.fullmatch(value.strip().lower()):
        raise ValidationError(f"{value[:60]!r} is not a mail domain, such as example.com.")


class PolicyMatchSchema(Schema):
    """Which tickets a policy is for: each key given must hold the ticket's value; none given, every ticket."""

    class Meta:
        unknown = RAISE

    priority = fields.List(Choice(PRIORITIES), validate=validate.Length(max=len(PRIORITIES)))
    category = fields.List(Choice(CATEGORIES), validate=validate.Length(max=len(CATEGORIES)))
    team = fields.List(Text(max_length=TEAM_NAME_MAX), validate=validate.Length(max=50), metadata={
        "description": "Team names."})
    tag = fields.List(fields.String(validate=validate.Length(max=TAG_MAX)), validate=validate.Length(max=50),
                      metadata={"description": "Tags: a ticket with any of them fits."})
    requester_domain = fields.List(fields.String(validate=[validate.Length(max=253), _domain]),
                                   validate=validate.Length(max=50), metadata={
        "description": "The requester's mail domain, such as example.com (subdomains are other domains)."})


class SlaPolicySchema(Schema):
    """What `POST`/`PATCH /api/sla-policies/` read."""

    class Meta:
        unknown = EXCLUDE

    name = Name(POLICY_NAME_MAX, required=True)
    position = fields.Integer(validate=validate.Range(min=0, max=10_000), metadata={
        "description": "Lower first; the first policy that fits a ticket applies (ties: the older first). "
                       "Left out: after the others."})
    match = fields.Nested(PolicyMatchSchema, load_default=dict)
    business_hours = Text(max_length=CALENDAR_NAME_MAX, allow_none=True, load_default=None, metadata={
        "description": "The name of the calendar its minutes count in; null: 24/7."})
    locals().update({f"{target}_minutes": fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(min=1, max=TARGET_MAX),
        metadata={"description": f"The {target.replace('_', ' ')} target in business minutes; null: none."})
        for target in SLA_TARGETS})

    @validates_schema
    def _some_target(self, data, partial=False, **_kwargs):
        if not partial and not any(data.get(f"{target}_minutes") for target in SLA_TARGETS):
            raise ValidationError("Give at least one target in minutes.", "first_response_minutes")


class SlaPolicyJsonSchema(SlaPolicySchema):
    """A policy as the API answers it (`policies.policy_json`)."""

    id = fields.Integer(required=True)


sla_policy_schema = SlaPolicySchema()
sla_policy_patch_schema = SlaPolicySchema(partial=True)
