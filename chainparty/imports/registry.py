"""The import kinds apps contribute, discovered from each installed app's `imports` module (as
`chainparty.exporters.workbooks` discovers `exporters`), so chainparty never imports an app."""

from django.utils.module_loading import autodiscover_modules

from .base import ImportKind


class ImportKindRegistry:
    def __init__(self, *, discover=True):
        self._kinds: dict[str, type[ImportKind]] = {}
        self._discovered = not discover

    def _discover(self):
        if not self._discovered:
            self._discovered = True
            autodiscover_modules("imports")

    def register(self, kind_class: type[ImportKind]) -> type[ImportKind]:
        """`@import_kinds.register` on an ImportKind subclass."""
        if not kind_class.identifier:
            raise ValueError(f"{kind_class.__name__} has no identifier")
        self._kinds[kind_class.identifier] = kind_class
        return kind_class

    def get(self, identifier: str) -> type[ImportKind] | None:
        self._discover()
        return self._kinds.get(identifier)

    def all(self) -> list[type[ImportKind]]:
        self._discover()
        return list(self._kinds.values())

    def offered_to(self, user) -> bool:
        """Whether any kind is offered to `user` (the navigation's link; see ImportKind.offered_to)."""
        if user is None or not user.is_authenticated:
            return False
        return any(kind_class().offered_to(user) for kind_class in self.all())

    def for_user(self, user) -> list[ImportKind]:
        """One instance of every kind `user` may import into some region."""
        return [kind for kind in (kind_class() for kind_class in self.all()) if kind.regions_for(user)]


import_kinds = ImportKindRegistry()
