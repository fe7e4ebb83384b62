"""The one working-day calendar: statutory holidays and make-up working days (调休) of China.

Three sources, in order of precedence:

1. `CalendarDay` rows (overrides), entered by platform staff from the State Council's notice each
   autumn; a year with any override is a published ("known") year.
2. The `chinese_calendar` package, for the years it has published.
3. Monday–Friday, for a year neither knows (`missing_next_year` warns about it from 1 November).

How the overrides reach every process. `is_workday` sits in loops (deadlines, schedules, the
working-day ordinal of every day of a year), so its hot path must not query. Each process keeps one
immutable snapshot (`_Calendar`) of the committed overrides plus everything computed from them (the
per-day and per-year memos that used to be module-level lru_caches). The snapshot carries the
calendar's revision, `(count, max(updated_at))` of the override rows: any insert, update or delete
changes it (a delete the count; an insert or update a newer `updated_at`). The revision is re-read
at most once every `revision_ttl()` seconds per process (one small aggregate query), and the rows
are loaded again only when it changed. So:

- another process (a web worker, the Celery worker) sees a change within `revision_ttl()`;
- the process that saves sees it at once: `chainparty.holidays` calls `overrides_changed()` after
  each write. Outside a transaction that simply expires the snapshot. Inside one, the rows are not
  committed yet, so they must not become the process-wide snapshot (a rollback would leave them
  there for a TTL, and other threads would read uncommitted days): that transaction's connection
  gets a snapshot of its own, used while its on-commit marker is pending. On commit the marker
  expires the process-wide snapshot; on rollback Django drops the marker and the private snapshot
  is discarded on the next call.

Why the database and not the Django cache: in development the cache is per-process (locmem), and
the rows are the truth anyway; one aggregate every 30 s per process costs nothing. Replacing a
snapshot as a whole, with its memos inside it, means a thread still computing from an old one can
never store old results in the new one's caches. The TTL is measured on the monotonic clock, so
a test that travels in time (time_machine moves only the wall clock) never triggers a re-read in
the middle of a query budget; tests of the TTL replace `_clock`. The test settings lengthen the TTL
(`CALENDAR_REVISION_TTL`): the test process is the only process, and a re-read landing by chance
inside a measured block would make query budgets flaky.
"""

import datetime as dt
import time
from functools import lru_cache

import chinese_calendar
from chinese_calendar import constants as _cc
from django.conf import settings
from django.db import transaction
from django.utils import timezone

PACKAGE_YEARS = range(min(_cc.holidays).year, max(_cc.holidays).year + 1)
_FIRST_COUNTED_YEAR = 2000
#: Seconds a process trusts its snapshot before re-reading the calendar's revision (settings may change it).
REVISION_TTL = 30.0
_clock = time.monotonic
#: From this day of the year on (1 November), next year's holidays should have been entered.
NEXT_YEAR_DUE = (11, 1)


class _Calendar:
    """One snapshot of the overrides and the memos computed from them."""

    def __init__(self, overrides: dict[dt.date, bool], revision):
        self.overrides = overrides
        self.revision = revision
        self.override_years = frozenset(day.year for day in overrides)
        self.is_workday = lru_cache(maxsize=4096)(self._is_workday)
        self.year_prefix = lru_cache(maxsize=64)(self._year_prefix)
        self.before_year = lru_cache(maxsize=256)(self._before_year)

    def is_known_year(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.override_years

    def _is_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        if day.year in PACKAGE_YEARS:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def _year_prefix(self, year: int) -> tuple[int, ...]:
        """Running count of working days from 1 January up to and including each day of `year`."""
        counts, total, day = [], 0, dt.date(year, 1, 1)
        while day.year == year:
            total += self.is_workday(day)
            counts.append(total)
            day += dt.timedelta(days=1)
        return tuple(counts)

    def _before_year(self, year: int) -> int:
        """Working days from the start of _FIRST_COUNTED_YEAR to the start of `year` (negative before it)."""
        if year < _FIRST_COUNTED_YEAR:
            return -sum(self.year_prefix(earlier)[-1] for earlier in range(year, _FIRST_COUNTED_YEAR))
        return sum(self.year_prefix(earlier)[-1] for earlier in range(_FIRST_COUNTED_YEAR, year))

    def ordinal(self, day: dt.date) -> int:
        return self.before_year(day.year) + self.year_prefix(day.year)[day.timetuple().tm_yday - 1]


_snapshot: _Calendar | None = None
_checked_at = float("-inf")
_PRIVATE_ATTR = "_chainparty_calendar"


def _read_revision():
    from django.db.models import Count, Max

    from .models import CalendarDay

    row = CalendarDay.objects.aggregate(count=Count("pk"), latest=Max("updated_at"))
    return row["count"], row["latest"]


def _load(revision) -> _Calendar:
    from .models import CalendarDay

    rows = CalendarDay.objects.values_list("date", "kind")
    return _Calendar({day: kind == CalendarDay.Kind.MAKEUP_WORKDAY for day, kind in rows}, revision)


class _Private:
    """The snapshot of a transaction that changed the calendar and has not committed yet."""

    def __init__(self):
        self.markers: list = []
        self.pending = 0
        self.snapshot: _Calendar | None = None


def _private(connection) -> _Calendar | None:
    state = getattr(connection, _PRIVATE_ATTR, None)
    if state is None:
        return None
    pending_funcs = set()
    if connection.in_atomic_block:
        pending_funcs = {id(func) for _sids, func, _robust in connection.run_on_commit}
    pending = sum(id(marker) in pending_funcs for marker in state.markers)
    if not pending:  # committed (the marker ran) or rolled back (Django dropped it)
        delattr(connection, _PRIVATE_ATTR)
        return None
    if state.snapshot is None or pending != state.pending:  # a savepoint with some changes rolled back
        state.pending, state.snapshot = pending, _load(revision=None)
    return state.snapshot


def _calendar() -> _Calendar:
    """This transaction's own snapshot when it changed the calendar, else the process's snapshot,
    whose revision is re-read when the TTL has run out (the only query on the way)."""
    global _snapshot, _checked_at
    connection = transaction.get_connection()
    if hasattr(connection, _PRIVATE_ATTR):
        private = _private(connection)
        if private is not None:
            return private
    now = _clock()
    snapshot = _snapshot
    if snapshot is not None and 0 <= now - _checked_at < revision_ttl():
        return snapshot
    revision = _read_revision()
    if snapshot is None or snapshot.revision != revision:
        snapshot = _Calendar({}, revision) if revision[0] == 0 else _load(revision)
        _snapshot = snapshot
    _checked_at = now
    return snapshot


def revision_ttl() -> float:
    return getattr(settings, "CALENDAR_REVISION_TTL", REVISION_TTL)


def refresh() -> None:
    """Drop this process's trust in its snapshot: the next call re-reads the revision."""
    global _checked_at
    _checked_at = float("-inf")


def overrides_changed() -> None:
    """Called by `chainparty.holidays` after every write (see the module docstring)."""
    refresh()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return

    def marker():
        refresh()

    transaction.on_commit(marker)
    state = getattr(connection, _PRIVATE_ATTR, None) or _Private()
    state.markers.append(marker)
    state.snapshot = None
    setattr(connection, _PRIVATE_ATTR, state)


def is_workday(day: dt.date) -> bool:
    return _calendar().is_workday(day)


def is_known_year(year: int) -> bool:
    """Whether `year`'s holidays are published: in the package, or entered as overrides."""
    return _calendar().is_known_year(year)


def missing_next_year(today: dt.date) -> bool:
    """True from 1 November while next year's holidays are neither in the package nor entered."""
    return (today.month, today.day) >= NEXT_YEAR_DUE and not is_known_year(today.year + 1)


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (start itself is not counted)."""
    calendar = _calendar()
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if calendar.is_workday(day):
            remaining -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start. O(1) after the first call per year."""
    calendar = _calendar()
    return calendar.ordinal(end) - calendar.ordinal(start)


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 of `day` in the portal's time zone: a deadline 'on' a day lasts all of it."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def local_today() -> dt.date:
    return timezone.localdate()


def workdays_late(deadline: dt.date, today: dt.date) -> int:
    """How many working days `today` is past `deadline`, at least 1 (for something already late)."""
    return max(workdays_between(deadline, today), 1)


def latest_deadline_late_by(today: dt.date, days: int) -> dt.date:
    """The latest deadline that is at least `days` working days behind `today` (counting today when
    it is a working day). Not `add_workdays(today, -days)`: on a holiday that would count differently."""
    calendar = _calendar()
    day, counted = today, 0
    while counted < days:
        counted += calendar.is_workday(day)
        day -= dt.timedelta(days=1)
    return day
