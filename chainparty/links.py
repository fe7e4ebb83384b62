"""Records an app above keeps about an object of an app below, shown with that object without
the app below importing the one above.

`demands` files a need from a meeting's decision (议定事项); the decision, in `alliances`, must
show that need's number and state ("问题销号" of the need shows on the decision), but nothing in
`alliances` imports `demands`. So `demands/links.py` registers a *provider* for
"alliances.decision", and the meeting page and the API ask this registry, once per list:

    links.attach(decisions)            # sets decision.linked_records on each, one query per provider
    decision.linked_records            # [LinkedRecord(kind="need", label="XQ-2026-000012", ...)]

A provider takes a list of primary keys and returns {pk: [LinkedRecord, ...]} for those that have
any, in a bounded number of queries whatever the number of keys. Modules named `links` are
discovered in every installed app the first time the registry is read, as `indicators` are.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class LinkedRecord:
    """One record linked to an object: what it is (`kind`, `kind_label`), its short name
    (`label`, e.g. a need's number), its title, its state (`state`, `state_label`), whether that
    state is final (`done`), and where it is shown (`url`, access-checked there)."""

    kind: str
    kind_label: str
    id: int
    label: str
    title: str
    state: str
    state_label: str
    done: bool
    url: str


Provider = Callable[[list[int]], dict[int, list[LinkedRecord]]]


class LinkRegistry:
    def __init__(self):
        self._providers: dict[str, list[Provider]] = {}
        self._discovered = False

    def register(self, model_label: str, provider: Provider | None = None):
        """`registry.register("alliances.decision", provider)`, or as a function decorator."""
        if provider is None:
            return lambda function: self.register(model_label, function)
        providers = self._providers.setdefault(model_label.lower(), [])
        if provider not in providers:
            providers.append(provider)
        return provider

    def _providers_for(self, model_label: str) -> list[Provider]:
        if not self._discovered:
            autodiscover_modules("links")
            self._discovered = True
        return list(self._providers.get(model_label.lower(), ()))

    def for_ids(self, model_label: str, ids: Iterable[int]) -> dict[int, list[LinkedRecord]]:
        ids = sorted({pk for pk in ids if pk is not None})
        found: dict[int, list[LinkedRecord]] = {}
        if not ids:
            return found
        for provider in self._providers_for(model_label):
            for pk, records in provider(ids).items():
                found.setdefault(pk, []).extend(records)
        return found

    def attach(self, objects: Iterable, attribute: str = "linked_records") -> list:
        """Set `attribute` on each object (all of one model) to its linked records ([] for none)."""
        objects = list(objects)
        if not objects:
            return objects
        found = self.for_ids(objects[0]._meta.label_lower, (o.pk for o in objects))
        for obj in objects:
            setattr(obj, attribute, found.get(obj.pk, []))
        return objects


registry = LinkRegistry()
register = registry.register
attach = registry.attach
