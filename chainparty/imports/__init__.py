"""Excel import (issue 11): rosters brought in from the workbooks counties already keep.

Public API (see /work/notes/import-api.md):
- base: Column, ImportKind, ImportContext, ImportRow and the column types and outcomes;
- registry: `import_kinds` (kinds register from each app's `imports` module);
- check: `check_workbook`, `apply_workbook`, `CheckResult`;
- template: `write_template`; marked: `write_marked_copy`.
"""
