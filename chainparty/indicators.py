"""Figures the apps own, composed by the home page (and later dashboards) without importing them.

Each app declares its figures in `<app>/indicators.py`, which the shared registry imports from
every installed app (`autodiscover_modules`) the first time it is read, much as pretix's apps
contribute their dashboard widgets. The
page asks the registry for the panels a user may see and never learns which app owns a figure,
so `alliances` renders needs totals without importing `demands`, and meetings or visits appear
by registering, without editing the page.

An indicator reads its value from a *source*: one function of the user that computes every
figure of its kind in a bounded number of queries (the needs totals are one grouped query, not
one per alliance). Indicators that share a source cost it once per computation, and the registry
computes only the indicators asked for. A group whose source scans many rows is *deferred*: the
page shows its heading at once and loads its figures afterwards from `indicator_panel`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import autodiscover_modules


def _always(user) -> bool:
    return True


@dataclass(frozen=True)
class Link:
    """A button next to a group's heading (e.g. 提交需求), shown to whom `shown(user)` allows."""

    label: str
    url_name: str
    shown: Callable[[Any], bool] = _always
    style: str = "outline-secondary"
    icon: str = ""


@dataclass(frozen=True)
class Group:
    """A heading under which an app's figures appear, in `order` among the other groups."""

    key: str
    label: str
    order: int
    shown: Callable[[Any], bool] = _always
    deferred: bool = False
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Indicator:
    """One figure: `value(source(user))` in `unit`, with an optional second line and link.

    `note(data)` returns the small text under the value ("按期率 90.0%") or "" for none;
    `alert(data)` marks that note as a warning (overdue needs). `link` is a URL name, `query` an
    optional query string for it. A value of None is shown as "—" (a rate of nothing).
    """

    key: str
    label: str
    group: str
    source: Callable[[Any], Any]
    value: Callable[[Any], Any]
    order: int = 0
    unit: str = ""
    note: Callable[[Any], str] | None = None
    alert: Callable[[Any], bool] | None = None
    link: str = ""
    query: str = ""


@dataclass(frozen=True)
class Figure:
    """An indicator computed for one user, ready for a template."""

    indicator: Indicator
    value: Any
    note: str = ""
    alert: bool = False
    url: str = ""

    @property
    def key(self):
        return self.indicator.key

    @property
    def label(self):
        return self.indicator.label

    @property
    def unit(self):
        return self.indicator.unit


@dataclass(frozen=True)
class Panel:
    """A group as one user sees it: its links, and its figures unless they load later (None)."""

    group: Group
    links: list[tuple[Link, str]] = field(default_factory=list)
    figures: list[Figure] | None = None


class Registry:
    def __init__(self, *, discover: bool = False):
        self._groups: dict[str, Group] = {}
        self._indicators: dict[str, Indicator] = {}
        self._discover = discover

    def _discovered(self):
        # Importing the apps' modules registers them; a second call finds them imported already.
        if self._discover:
            autodiscover_modules("indicators")
            self._discover = False

    def add_group(self, group: Group) -> Group:
        if group.key in self._groups:
            raise ImproperlyConfigured(f"indicator group {group.key!r} is registered twice")
        self._groups[group.key] = group
        return group

    def register(self, *indicators: Indicator) -> None:
        for indicator in indicators:
            if indicator.key in self._indicators:
                raise ImproperlyConfigured(f"indicator {indicator.key!r} is registered twice")
            if indicator.group not in self._groups:
                raise ImproperlyConfigured(f"indicator {indicator.key!r} names unknown group {indicator.group!r}")
            self._indicators[indicator.key] = indicator

    def groups(self) -> list[Group]:
        self._discovered()
        return sorted(self._groups.values(), key=lambda g: (g.order, g.key))

    def indicators(self, *, keys: Iterable[str] | None = None, group: str | None = None) -> list[Indicator]:
        self._discovered()
        chosen = self._indicators.values()
        if keys is not None:
            wanted = set(keys)
            unknown = wanted - self._indicators.keys()
            if unknown:
                raise KeyError(f"unknown indicators: {sorted(unknown)}")
            chosen = [i for i in chosen if i.key in wanted]
        if group is not None:
            chosen = [i for i in chosen if i.group == group]
        return sorted(chosen, key=lambda i: (self._groups[i.group].order, i.order, i.key))

    def compute(self, *, user, keys: Iterable[str] | None = None, group: str | None = None) -> list[Figure]:
        """The chosen indicators' figures for `user`, each source called once."""
        data: dict[Callable, Any] = {}
        figures = []
        for indicator in self.indicators(keys=keys, group=group):
            if indicator.source not in data:
                data[indicator.source] = indicator.source(user)
            figures.append(_figure(indicator, data[indicator.source]))
        return figures

    def panels(self, *, user) -> list[Panel]:
        """The groups `user` may see, with figures computed now for those not deferred."""
        return [self._panel(group, user, compute=not group.deferred) for group in self.groups() if group.shown(user)]

    def panel(self, *, user, key: str) -> Panel | None:
        """One group with its figures, or None when there is no such group or `user` may not see it."""
        self._discovered()
        group = self._groups.get(key)
        if group is None or not group.shown(user):
            return None
        return self._panel(group, user, compute=True)

    def _panel(self, group, user, *, compute):
        links = [(link, reverse(link.url_name)) for link in group.links if link.shown(user)]
        figures = self.compute(user=user, group=group.key) if compute else None
        return Panel(group=group, links=links, figures=figures)


def _figure(indicator: Indicator, data) -> Figure:
    url = reverse(indicator.link) if indicator.link else ""
    return Figure(
        indicator=indicator,
        value=indicator.value(data),
        note=indicator.note(data) if indicator.note else "",
        alert=bool(indicator.alert(data)) if indicator.alert else False,
        url=f"{url}?{indicator.query}" if url and indicator.query else url,
    )


#: The registry every app registers with; its first reader imports every app's `indicators`.
registry = Registry(discover=True)
