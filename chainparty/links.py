"""Records an app above keeps about an object of an app below, shown with that object without
the app below importing the one above.

`demands` files a need from a meeting's decision (议定事项); the decision, in `alliances`, must
show that need's number and state ("问题销号" of the need shows on the decision), but nothing in
`alliances` imports `demands`. So `demands/links.py` registers a *provider* for
"alliances.decision", and the meeting page and the API ask this registry, once per list:

    links.attach(decisions)            # sets decision.linked_records on each, one query per provider
    decision.linked_records            # [LinkedRecord(kind="need", label="XQ-2026-000012", ...)]

A provider that gives a `column` heading ("转办诉求编号") is also a column of the exports that list
those objects (the monthly workbook's 议定事项 sheet): `registry.columns(label)` names the columns.
A provider that also gives a `column_value` (the expression of the column's text on the model's
rows, e.g. a subquery correlated with the row) has it read in the export's own query through
`registry.column_annotations(label)`, so its column costs no query at all however many rows; the
others are filled by `registry.column_values(label, ids)`, one provider call per chunk of rows.

A provider takes a list of primary keys and returns {pk: [LinkedRecord, ...]} for those that have
any, in a bounded number of queries whatever the number of keys. Modules named `links` are
discovered in every installed app the first time the registry is read, as `indicators` are.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Expression
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
#: Builds the expression of an export column: the text for the row of the model it annotates, e.g.
#: ``Subquery(Need.objects.filter(decision_id=OuterRef("pk")).values("number")[:1])``.
ColumnValue = Callable[[], Expression]


class LinkRegistry:
    def __init__(self):
        self._providers: dict[str, list[Provider]] = {}
        self._columns: dict[Provider, tuple[str, ColumnValue | None]] = {}
        self._discovered = False

    def register(
        self,
        model_label: str,
        provider: Provider | None = None,
        *,
        column: str | None = None,
        column_value: ColumnValue | None = None,
    ):
        """`registry.register("alliances.decision", provider)`, or as a function decorator. With a
        `column` heading, exports of the model list the linked records under it; with a
        `column_value` too (a function returning the expression of that text on the model's rows),
        they read it in their own query instead of calling the provider."""
        if provider is None:
            return lambda function: self.register(model_label, function, column=column, column_value=column_value)
        if column is None and column_value is not None:
            raise ValueError("A column_value needs the heading of its column (column).")
        providers = self._providers.setdefault(model_label.lower(), [])
        if provider not in providers:
            providers.append(provider)
        if column is not None:
            self._columns[provider] = (column, column_value)
        return provider

    def _column_providers(self, model_label: str) -> list[Provider]:
        return [provider for provider in self._providers_for(model_label) if provider in self._columns]

    def columns(self, model_label: str) -> list[str]:
        """The headings of the export columns providers give the model ([] when none does)."""
        return [self._columns[provider][0] for provider in self._column_providers(model_label)]

    def column_annotations(self, model_label: str) -> dict[str, Expression]:
        """{alias: expression} for the columns of `columns()` whose provider gives a `column_value`,
        to `annotate()` a queryset of the model with: each row then carries those columns' texts
        (None without a linked record), read in the queryset's own query however many rows it
        holds. An alias ends with the column's index in `columns()` ("linked_column_0")."""
        annotations = {}
        for index, provider in enumerate(self._column_providers(model_label)):
            column_value = self._columns[provider][1]
            if column_value is not None:
                annotations[f"linked_column_{index}"] = column_value()
        return annotations

    def column_values(self, model_label: str, ids: Iterable[int]) -> dict[int, tuple[str | None, ...]]:
        """{pk: one text per heading of `columns()`} for the objects that have any linked record
        through a provider without a `column_value` (the records' labels, joined with "、"; None
        where a column is annotated instead). One call of each such provider."""
        ids = sorted({pk for pk in ids if pk is not None})
        providers = self._column_providers(model_label)
        found: dict[int, list[list[str]]] = {}
        if not ids:
            return {}
        for index, provider in enumerate(providers):
            if self._columns[provider][1] is not None:
                continue
            for pk, records in provider(ids).items():
                found.setdefault(pk, [[] for _provider in providers])[index].extend(r.label for r in records)
        return {pk: tuple("、".join(labels) or None for labels in texts) for pk, texts in found.items()}

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
