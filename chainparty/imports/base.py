"""What an import kind declares and what the core hands it: columns, rows and the context.

A kind (`ImportKind`) names an importable list (enterprises, Party organisations, ...) and its
`columns`. The core reads the user's workbook, finds the columns by their headers, turns each cell
into a Python value by the column's `type` (cells.py) and gives every row to the kind's
`check_row` in one pass, after the kind has bulk-loaded what it needs once in `prepare`. Only when
no row is refused does the core call `apply_row` for every row, inside one transaction.
"""

import datetime as dt
import difflib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

TEXT = "text"
INT = "int"
DECIMAL = "decimal"
DATE = "date"
CHOICE = "choice"
CODE = "code"
MOBILE = "mobile"
BOOL = "bool"
TYPES = (TEXT, INT, DECIMAL, DATE, CHOICE, CODE, MOBILE, BOOL)

NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"
REFUSED = "refused"
OUTCOMES = (NEW, CHANGED, UNCHANGED, REFUSED)

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Column:
    """One column of a kind. `key` is the English field key (written in the template's hidden key
    row), `header` the Chinese header users see and the reader matches (besides `aliases`).
    `choices` (CHOICE columns): the labels a cell may hold, or a callable taking the ImportContext
    and returning them (drop-down lists in the template are then left out when there is no context).
    `synonyms` maps other spellings to a label ("规模以上" -> "规上"): offered as a fix, never applied
    silently. `max_length` refuses longer text with the column's name."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    type: str = TEXT
    choices: Callable[["ImportContext"], Sequence[str]] | tuple[str, ...] | None = None
    synonyms: dict[str, str] = field(default_factory=dict)
    example: str = ""
    help: str = ""
    width: int = 16
    max_length: int | None = None

    def __hash__(self):
        return hash(self.key)

    def choice_labels(self, ctx: "ImportContext | None") -> list[str]:
        if self.choices is None:
            return []
        if callable(self.choices):
            return [] if ctx is None else [str(label) for label in self.choices(ctx)]
        return [str(label) for label in self.choices]


@dataclass
class Message:
    key: str  # the column's key, or "" for the whole row
    level: str  # ERROR | WARNING
    text: str
    fix: Any = None  # the value offered instead, when there is one

    def as_dict(self):
        return {"key": self.key, "level": self.level, "text": self.text, "fix": _jsonable(self.fix)}


def _jsonable(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass
class ImportRow:
    """One data row of the sheet. `values` holds the normalised Python values by column key (None
    when empty), `raw` the cells as read, `number` the sheet row number (as Excel shows it)."""

    number: int
    values: dict[str, Any]
    raw: dict[str, Any]
    messages: list[Message] = field(default_factory=list)
    outcome: str = ""
    #: Chinese names of the fields a "changed" row changes (shown in the report).
    changes: list[str] = field(default_factory=list)
    #: Free for the kind: what check_row found (the existing instance, resolved foreign keys...).
    data: dict[str, Any] = field(default_factory=dict)
    accept_fixes: bool = False

    def error(self, key: str, message: str) -> None:
        self.messages.append(Message(key, ERROR, str(message)))

    def warning(self, key: str, message: str) -> None:
        self.messages.append(Message(key, WARNING, str(message)))

    def offer_fix(self, key: str, value, message: str) -> None:
        """An obvious slip with its correction. Refused (an error naming the fix) unless the user
        chose to accept offered fixes; then the fix is used and the message is a warning."""
        if self.accept_fixes:
            self.values[key] = value
            self.messages.append(Message(key, WARNING, _("%(message)s（已按建议修正）") % {"message": message}, value))
        else:
            self.messages.append(Message(key, ERROR, str(message), value))

    @property
    def has_errors(self) -> bool:
        return any(message.level == ERROR for message in self.messages)

    def errors(self) -> list[Message]:
        return [message for message in self.messages if message.level == ERROR]

    def warnings(self) -> list[Message]:
        return [message for message in self.messages if message.level == WARNING]


@dataclass
class ImportContext:
    """What a kind gets besides the row: who imports (`user`), into which region (`region`, the
    organisation department's region; None only for administrators' kinds without one), a `cache`
    the kind fills in `prepare` (bulk lookups, keys seen so far in the file), and `today`."""

    user: Any
    region: Any
    cache: dict = field(default_factory=dict)
    today: dt.date = field(default_factory=timezone.localdate)
    accept_fixes: bool = False
    filename: str = ""
    #: One-time secrets made while applying (temporary passwords of accounts a kind creates):
    #: (row number, label, secret). Shown once to who confirmed, never stored in the job or report.
    secrets: list = field(default_factory=list)

    @staticmethod
    def closest(name: str, candidates: Iterable[str], *, cutoff: float = 0.5) -> str | None:
        """The candidate closest to `name` (difflib), for "did you mean ...", or None."""
        name = (name or "").strip()
        if not name:
            return None
        candidates = [str(candidate) for candidate in candidates]
        matches = difflib.get_close_matches(name, candidates, n=1, cutoff=cutoff)
        if matches:
            return matches[0]
        # A name that contains (or is contained in) exactly one candidate: "开发区" for "汶上经济开发区".
        containing = [candidate for candidate in candidates if name in candidate or candidate in name]
        return containing[0] if len(containing) == 1 else None


class ImportKind(ABC):
    """One importable list. Subclasses set `identifier`, `verbose_name`, `columns` and implement
    `may_import`, `regions_for`, `check_row` and `apply_row`; `prepare` and `finish_apply` are
    optional. Instances are made per import, so a kind may keep state on `self` too."""

    identifier: str = ""
    verbose_name: str = ""
    columns: Sequence[Column] = ()
    #: Lines added to the template's instructions sheet after the per-column help.
    instructions: Sequence[str] = ()

    @abstractmethod
    def may_import(self, user, region) -> bool:
        """Whether `user` may import this kind into `region`."""

    @abstractmethod
    def regions_for(self, user) -> list:
        """The regions (objects with `pk`, `path` and a name) `user` may import this kind into."""

    def job_regions_for(self, user) -> list:
        """The regions whose jobs of this kind `user` may look at whoever uploaded them (their
        reports and marked copies hold every row of the file). Defaults to `regions_for`; a kind that
        some import only for part of a region (alliance secretaries, for their own alliance) gives
        the regions where `user` may import everything, so those see only their own jobs there."""
        return self.regions_for(user)

    def find_region(self, region_id):
        """The region with `region_id` whoever asks (the command line, run by administrators), or None."""
        return None

    def offered_to(self, user) -> bool:
        """Whether the navigation offers 数据导入 to `user` for this kind: cheap (no query beyond the
        user's cached scope), as it runs on every page. Defaults to `bool(self.regions_for(user))`."""
        return bool(self.regions_for(user))

    def get_region(self, user, region_id):
        """The region with `region_id` if `user` may import into it, else None."""
        for region in self.regions_for(user):
            if region.pk == region_id:
                return region
        return None

    def prepare(self, ctx: ImportContext) -> None:
        """Bulk-load lookups once (existing rows by key, zones by name) into `ctx.cache`; optional."""
        return None

    @abstractmethod
    def check_row(self, row: ImportRow, ctx: ImportContext) -> None:
        """Read and check one row: messages on `row`, its outcome (new, changed, unchanged)."""

    @abstractmethod
    def apply_row(self, row: ImportRow, ctx: ImportContext) -> None:
        """Write one checked row (inside the file's transaction)."""

    def finish_apply(self, ctx: ImportContext) -> None:
        """Called once after the last apply_row, inside the transaction (bulk writes kept for the end);
        optional."""
        return None

    # -- helpers for kinds --------------------------------------------------------------------------
    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def header_of(self, key: str) -> str:
        return str(self.column(key).header)

    def compare(self, row: ImportRow, instance, fields: dict[str, Any]) -> None:
        """Set the row's outcome against `instance` (None: new) from `fields` (attribute -> value
        the file gives; the column of the same key names it in `changes`)."""
        if instance is None:
            row.outcome = NEW
            return
        changes = []
        for attribute, value in fields.items():
            if getattr(instance, attribute) != value:
                try:
                    changes.append(self.header_of(attribute))
                except KeyError:
                    changes.append(attribute)
        row.changes = changes
        row.outcome = CHANGED if changes else UNCHANGED

    def first_seen(self, row: ImportRow, ctx: ImportContext, key: str, value) -> bool:
        """False (and an error on the row) when `value` of column `key` already came in an earlier
        row of this file: the second of two rows for the same thing is refused."""
        seen = ctx.cache.setdefault(("seen", key), {})
        if value in seen:
            row.error(key, _("与第 %(row)d 行重复。") % {"row": seen[value]})
            return False
        seen[value] = row.number
        return True
