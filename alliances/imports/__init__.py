"""The alliances' import kinds, registered with chainparty.imports.registry.import_kinds when the
registry discovers this module. Each kind lives in its own module, imported here."""

from . import departments, enterprises, memberships, party_organisations  # noqa: F401
