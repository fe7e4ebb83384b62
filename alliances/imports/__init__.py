"""The alliances' import kinds, registered with chainparty.imports.registry.import_kinds when the
registry discovers this module. Each kind lives in its own module, imported here."""

from . import enterprises  # noqa: F401
from . import departments, memberships, party_organisations  # noqa: F401
