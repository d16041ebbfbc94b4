"""Business-time arithmetic, checked against the definition minute by minute: a minute counts when its
local wall-clock time falls in its local date's hours and that date is no holiday. Generated calendars in
zones with daylight saving (Madrid, New York, São Paulo's past rules, Lord Howe's half-hour shift, Chatham's
+12:45), starts near the clock changes, and the issue's own dates. No database: pure functions."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from ticketdesk.sla.business_time import ALWAYS, Calendar, add, between

MADRID = ZoneInfo("Europe/Madrid")
ZONES = ["Europe/Madrid", "America/New_York", "America/Sao_Paulo", "Australia/Lord_Howe", "Pacific/Chatham",
         "Asia/Kolkata", "America/St_Johns", "UTC"]
# the instants around which clocks change in 2027 in those zones, and a few ordinary ones
NEAR = [datetime(2027, 3, 28, 1, tzinfo=timezone.utc), datetime(2027, 10, 31, 1, tzinfo=timezone.utc),
        datetime(2027, 3, 14, 7, tzinfo=timezone.utc), datetime(2027, 11, 7, 6, tzinfo=timezone.utc),
        datetime(2027, 4, 3, 15, tzinfo=timezone.utc), datetime(2027, 10, 2, 16, tzinfo=timezone.utc),
        datetime(2027, 4, 3, 14, tzinfo=timezone.utc), datetime(2027, 9, 25, 14, tzinfo=timezone.utc),
        datetime(2027, 6, 15, 12, tzinfo=timezone.utc), datetime(2027, 12, 31, 23, tzinfo=timezone.utc)]
MINUTE = timedelta(minutes=1)


def counts(calendar: Calendar, instant: datetime) -> bool:
    local = instant.astimezone(calendar.zone)
    if local.date() in calendar.holidays:
        return False
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in calendar.week[local.weekday()])


def brute_between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    minutes, here = 0, start
    while here < end:
        minutes += counts(calendar, here)
        here += MINUTE
    return timedelta(minutes=minutes)


@st.composite
def day_hours(draw):
    points = sorted(set(draw(st.lists(st.sampled_from(range(0, 1441, 30)), max_size=6))))
    if len(points) % 2:
        points = points[:-1]
    return tuple(zip(points[::2], points[1::2]))


@st.composite
def calendars(draw):
    week = tuple(draw(day_hours()) for _ in range(7))
    assume(any(week))
    holidays = frozenset(draw(st.lists(st.dates(date(2027, 3, 20), date(2027, 4, 10)) |
                                       st.dates(date(2027, 10, 25), date(2027, 11, 12)), max_size=4)))
    return Calendar(ZoneInfo(draw(st.sampled_from(ZONES))), week, holidays)


instants = st.builds(lambda base, minutes: base + timedelta(minutes=minutes),
                     st.sampled_from(NEAR), st.integers(-3 * 1440, 3 * 1440))


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.integers(0, 8 * 1440))
# found by this test: Chatham's clocks change at 02:45 local, and the change was located to within a second,
# not on it, so the minute after it counted 59.56 seconds
@example(Calendar(ZoneInfo("Pacific/Chatham"), ((),) * 6 + (((0, 180),),)),
         datetime(2027, 4, 3, 14, 0, tzinfo=timezone.utc), 1)
def test_business_time_between_two_instants_is_what_counting_each_minute_says(calendar, start, span):
    end = start + timedelta(minutes=span)
    assert between(calendar, start, end) == brute_between(calendar, start, end)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants, st.integers(0, 3000))
def test_adding_business_time_ends_on_the_minute_that_uses_it_up(calendar, start, minutes):
    due = add(calendar, start, timedelta(minutes=minutes))
    assert due is not None  # every generated calendar has some hours
    assume(due - start <= timedelta(days=21))  # counted below minute by minute
    assert brute_between(calendar, start, due) == timedelta(minutes=minutes)
    assert minutes == 0 or counts(calendar, due - MINUTE)  # the last minute used counts: nothing earlier would do


def test_madrids_clock_changes_in_2027():
    every_hour = Calendar(MADRID, (((0, 1440),),) * 7, frozenset({date(2027, 1, 1)}))  # not 24/7: a holiday
    local = lambda *a: datetime(*a, tzinfo=MADRID)  # noqa: E731
    assert between(every_hour, local(2027, 3, 27), local(2027, 3, 29)) == timedelta(hours=47)  # 02:00 → 03:00
    assert between(every_hour, local(2027, 10, 30), local(2027, 11, 1)) == timedelta(hours=49)  # 03:00 → 02:00
    night = Calendar(MADRID, ((),) * 6 + (((60, 240),),))  # Sundays 01:00–04:00, wall-clock
    assert between(night, local(2027, 3, 28), local(2027, 3, 29)) == timedelta(hours=2)  # the hour that never was
    assert between(night, local(2027, 10, 31), local(2027, 11, 1)) == timedelta(hours=4)  # the hour lived twice
    # 240 minutes from the Friday before, in an office open 09:00–14:00 and 15:00–18:00 on weekdays
    office = Calendar(MADRID, (((540, 840), (900, 1080)),) * 5 + ((), ()), frozenset({date(2027, 3, 29)}))
    due = add(office, local(2027, 3, 26, 16, 30), timedelta(minutes=240))
    assert due == local(2027, 3, 30, 11, 30).astimezone(timezone.utc)  # 90 min on Friday, Monday a holiday


def test_a_calendar_in_another_zone_than_the_servers_counts_its_own_hours():
    tokyo = Calendar(ZoneInfo("Asia/Tokyo"), (((540, 1080),),) * 5 + ((), ()))
    monday_9_tokyo = datetime(2027, 6, 14, 0, 0, tzinfo=timezone.utc)  # 09:00 in Tokyo
    assert add(tokyo, monday_9_tokyo, timedelta(hours=9)) == datetime(2027, 6, 14, 9, 0, tzinfo=timezone.utc)
    assert add(tokyo, monday_9_tokyo, timedelta(hours=10)) == datetime(2027, 6, 15, 1, 0, tzinfo=timezone.utc)


def test_round_the_clock_is_plain_arithmetic_and_a_calendar_without_hours_has_no_due_time():
    start = datetime(2027, 3, 28, 0, 30, tzinfo=timezone.utc)
    assert add(ALWAYS, start, timedelta(minutes=90)) == start + timedelta(minutes=90)
    assert between(ALWAYS, start, start + timedelta(days=2)) == timedelta(days=2)
    assert add(Calendar(MADRID, ((),) * 7), start, timedelta(minutes=1)) is None
