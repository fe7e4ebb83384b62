"""How the meetings code is laid out (CONVENTIONS.md): the services grow into a package of modules
by what they do, none past ~400 lines, whose public names callers import from the package; and no
module reaches into another one's private (underscore) names."""

import ast
import re
from pathlib import Path

import alliances.meetings
from alliances.meetings import services

MEETINGS = Path(alliances.meetings.__file__).parent
PUBLIC = [
    "meeting_schedule",
    "meeting_move",
    "meeting_cancel",
    "meeting_update",
    "invitation_answer",
    "attendance_record",
    "meeting_minutes_file",
    "decision_add",
    "decision_update_status",
    "meeting_attach",
    "DecisionDraft",
    "AgendaEdit",
]


def test_the_services_are_a_package_of_modules_of_a_readable_size():
    package = MEETINGS / "services"
    assert (package / "__init__.py").is_file() and not (MEETINGS / "services.py").exists()
    sizes = {path.name: len(path.read_text().splitlines()) for path in package.glob("*.py")}
    assert {"meetings.py", "invitations.py", "records.py"} <= set(sizes)
    assert all(lines <= 400 for lines in sizes.values()), sizes


def test_callers_keep_importing_the_public_names_from_the_package():
    assert all(callable(getattr(services, name)) for name in PUBLIC)
    assert set(PUBLIC) <= set(services.__all__)


def _private_imports(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found += [f"from {node.module} import {a.name}" for a in node.names if a.name.startswith("_")]
    # A private name reached through another module: services._require_manager and the like.
    found += re.findall(r"\b(?:services|views|schedules|selectors|permissions)\._[a-z]\w*", path.read_text())
    return found


def test_no_module_uses_another_modules_private_names():
    offenders = {
        str(path.relative_to(MEETINGS)): names for path in MEETINGS.rglob("*.py") if (names := _private_imports(path))
    }
    assert offenders == {}
