"""Sections an app above contributes to the page of an object of an app below, without the page's
app importing it.

The enterprise page belongs to `alliances`; its guides, last visits and building goal are
`guides`' (issue 9 §4). `alliances` may not import `guides`, so `guides/panels.py` registers a
provider for "alliances.enterprise", and the page's template asks this registry:

    {% load panels %}{% object_panels enterprise %}

A provider takes the request and the object and returns a `Panel` (a template and its context) or
None when it has nothing to show that user; it reads what it needs itself, in a bounded number of
queries, and checks what the user may see. Modules named `panels` are discovered in every installed
app the first time the registry is read, as `links` and `indicators` are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules


@dataclass(frozen=True)
class Panel:
    """A section of a page: `template` rendered with `context` (plus the request), placed by `order`."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


Provider = Callable[..., Panel | None]


class PanelRegistry:
    def __init__(self):
        self._providers: dict[str, list[Provider]] = {}
        self._discovered = False

    def register(self, model_label: str, provider: Provider | None = None):
        """`registry.register("alliances.enterprise", provider)`, or as a function decorator."""
        if provider is None:
            return lambda function: self.register(model_label, function)
        providers = self._providers.setdefault(model_label.lower(), [])
        if provider not in providers:
            providers.append(provider)
        return provider

    def _providers_for(self, model_label: str) -> list[Provider]:
        if not self._discovered:
            autodiscover_modules("panels")
            self._discovered = True
        return list(self._providers.get(model_label.lower(), ()))

    def for_object(self, request, obj) -> list[Panel]:
        """The panels the providers give `obj` for this request, in `order`."""
        panels = (provider(request, obj) for provider in self._providers_for(obj._meta.label_lower))
        return sorted((panel for panel in panels if panel is not None), key=lambda panel: panel.order)


registry = PanelRegistry()
register = registry.register
