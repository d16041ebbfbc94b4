"""Business time: which instants a calendar counts, and arithmetic on them.

A calendar is a time zone, the hours of each weekday in that zone's wall-clock time (several intervals a
day, or none) and holidays (local dates with no hours). A minute counts when its local wall-clock time falls
in one of its local date's intervals and that date is no holiday: the definition the tests check minute by
minute. So a day whose clocks go forward counts the hour that exists, and a day whose clocks go back counts
its repeated hour twice when both fall in the hours (an office open then works it twice).

Everything here is pure: instants are aware datetimes; the answers are in UTC. zoneinfo (the standard
library, over the system's or the `tzdata` package's database) knows the offsets.
"""
import heapq
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SAMPLE = timedelta(hours=3)  # offsets change far less often than this: each change is found between samples
SEARCH_DAYS = 3 * 366  # how far `add` looks for the hours it needs before deciding a calendar has none


@dataclass(frozen=True)
class Calendar:
    """`week[i]`: weekday i's intervals (Monday first) as (start, end) minutes of the local day, sorted,
    not overlapping, 0 <= start < end <= 1440."""
    zone: ZoneInfo
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()

    @property
    def always(self) -> bool:
        """24/7: every minute counts, whatever the zone says."""
        return not self.holidays and all(day == ((0, DAY_MINUTES),) for day in self.week)


ALWAYS = Calendar(ZoneInfo("UTC"), ((((0, DAY_MINUTES),),) * 7))


def _offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, timedelta]]:
    """[start, end) (UTC) cut where `zone`'s offset from UTC changes: (from, to, offset) pieces."""
    pieces, here = [], start
    offset = here.astimezone(zone).utcoffset()
    probe = here
    while probe < end:
        step = min(probe + SAMPLE, end)
        if step.astimezone(zone).utcoffset() != offset:
            # the change is in (probe, step], on a whole second (the zone database counts in seconds)
            low, high = math.floor(probe.timestamp()), math.ceil(step.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if _at(middle).astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            high = _at(high)
            pieces.append((here, high, offset))
            here, offset = high, high.astimezone(zone).utcoffset()
        probe = step
    pieces.append((here, end, offset))
    return pieces


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def day_intervals(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The UTC intervals in which local date `day` counts, in order."""
    hours = () if day in calendar.holidays else calendar.week[day.weekday()]
    if not hours:
        return []
    midnight = datetime.combine(day, time(), timezone.utc)  # the local midnight's wall time, read as UTC
    window = _offsets(calendar.zone, midnight - timedelta(hours=26), midnight + timedelta(hours=50))
    found = []
    for start, end in hours:
        for piece_start, piece_end, offset in window:  # the instants whose wall time is in [start, end)
            low = max(midnight + timedelta(minutes=start) - offset, piece_start)
            high = min(midnight + timedelta(minutes=end) - offset, piece_end)
            if low < high:
                found.append((low, high))
    found.sort()
    merged = []
    for low, high in found:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


def _local_day(calendar: Calendar, instant: datetime) -> date:
    return instant.astimezone(calendar.zone).date()


def intervals(calendar: Calendar, start: datetime, end: datetime | None = None):
    """The UTC intervals that count, clipped to [start, end) (no end: onwards, for three years), in order.
    An instant has one local date, so dates' intervals never overlap; but where clocks go back across
    midnight a date's instants may follow the next date's, so each date's are held until no later date
    can start before them (every instant of a date lies within 26 hours of its wall-clock midnight)."""
    start = start.astimezone(timezone.utc)
    day = _local_day(calendar, start) - timedelta(days=1)
    last = day + timedelta(days=SEARCH_DAYS) if end is None else _local_day(calendar, end) + timedelta(days=1)
    held = []
    while day <= last:
        for low, high in day_intervals(calendar, day):
            low, high = max(low, start), high if end is None else min(high, end)
            if low < high:
                heapq.heappush(held, (low, high))
        day += timedelta(days=1)
        horizon = datetime.combine(day, time(), timezone.utc) - timedelta(hours=26)
        while held and held[0][0] < horizon:
            yield heapq.heappop(held)
    while held:
        yield heapq.heappop(held)


def between(calendar: Calendar, start: datetime, end: datetime) -> timedelta:
    """The business time from `start` to `end` (nothing when `end` is not after `start`)."""
    if end <= start:
        return timedelta(0)
    if calendar.always:
        return end - start
    return sum((high - low for low, high in intervals(calendar, start, end)), timedelta(0))


def add(calendar: Calendar, start: datetime, amount: timedelta) -> datetime | None:
    """The instant `amount` of business time after `start` (UTC): the end of the minute that uses it up.
    None when the calendar has no hours within three years (no hours at all, or only holidays)."""
    start = start.astimezone(timezone.utc)
    if amount <= timedelta(0):
        return start
    if calendar.always:
        return start + amount
    left = amount
    for low, high in intervals(calendar, start):
        if high - low >= left:
            return low + left
        left -= high - low
    return None
