"""The Excel import's case (issue 11 §3), added to bench.cases' rounds by `add_cases(runner)`.

A workbook of 20,000 new enterprises for the county persona's county (汶上县; at a smaller --scale
the same share of 20,000, at least 200 rows) is written once: Chinese headers in its first row, the
county's zones, valid 统一社会信用代码 (check character from alliances.validators.uscc_check_char), and
every 50th row (2%, spread through the file) with one error of six kinds in turn: a wrong check
character, a zone that does not exist, 职工人数 as text, a credit code repeated from the row above,
no 企业名称, a 企业规模 that is not a choice. A second file is the same rows with those errors fixed,
as the user sends the marked copy back.

Measured in PostgreSQL, ours in each of up to three rounds, django-import-export in the first round
only (it takes minutes per run at full size; each of its runs is timed beside ours in that round):
  - check: our check pass (chainparty.imports.check_workbook with the enterprises kind) of the file
    with errors, against django-import-export's dry run of the same file (a ModelResource for
    Enterprise with the same columns, the library's defaults: row by row, full_clean);
  - import: what confirming does (jobs.import_job_apply): the corrected file checked again and
    applied (apply_workbook → enterprises_bulk_upsert), against django-import-export's import of the
    corrected file (import_data, dry_run=False).
Each round runs inside a transaction that is rolled back, so the 20,000 enterprises (and our audit
record) are gone after each round and the rounds are repeatable; the commit itself is not timed.
Before the timed rounds, one untimed round on a file a hundredth the size (at least 20 rows) warms
both up and gives the query counts of a smaller file: ours must not grow per row (at most one query
per 100 rows more, the bulk writes' batches). Peak memory is Python's (tracemalloc), in separate untimed runs of ours.
django-import-export is a dev/bench dependency only: its resource is used without its app installed.
"""

import io
import time
import tracemalloc

import openpyxl
from django.db import connection, transaction

from alliances.imports.enterprises import EnterpriseImport
from alliances.models import Enterprise, Region, WorkZone
from alliances.validators import USCC_CHARSET, uscc_check_char
from chainparty.imports.base import ImportContext
from chainparty.imports.check import apply_workbook, check_workbook

from . import floor
from . import measure as m
from .measure import Result

FULL_ROWS = 20_000
MIN_ROWS = 200
ERROR_EVERY = 50  # 2% of the rows
CHECK_S = 20
IMPORT_S = 30
PEAK_MB = 300
MIN_SPEEDUP = 3.0
ROUNDS = 3
THEIR_ROUNDS = 1
MB = 1024 * 1024
IE_DRY = "floor · django-import-export dry run"
IE_IMPORT = "floor · django-import-export import"
# The table's floor column (bench.floor.LABELS holds the page floors' short names).
floor.LABELS.setdefault(IE_DRY, "i-e dry")
floor.LABELS.setdefault(IE_IMPORT, "i-e imp")

HEADERS = {
    "credit_code": "统一社会信用代码",
    "name": "企业名称",
    "industry": "所属行业",
    "size": "企业规模",
    "zone": "所在片区",
    "address": "地址",
    "employees": "职工人数",
    "legal_representative": "法定代表人",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
INDUSTRIES = ("纺织服装", "机械制造", "食品加工", "新材料", "电子信息", "现代物流")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
ERRORS = ("check digit", "zone", "employees", "duplicate code", "no name", "size")


def import_rows(scale):
    return FULL_ROWS if scale >= 1 else max(MIN_ROWS, int(FULL_ROWS * scale))


def measure(*, runs, only, scale, log):
    """The import's results (its two django-import-export floors first), or none when --only leaves it out."""
    from .cases import _personas, _wanted

    rows = import_rows(scale)
    check_name = f"import · {rows:,} enterprises · check (2% errors)"
    import_name = f"import · {rows:,} enterprises · import (errors fixed)"
    if not (_wanted(check_name, only) or _wanted(import_name, only)):
        return []
    log(f"Import: {rows:,} enterprise rows, ours and django-import-export, {max(min(runs, ROUNDS), 1)} rounds")
    results = import_rounds(check_name, import_name, rows, _personas()["county_staff"], runs=runs)
    for result in results:
        shown = f"{result.p95_ms:.1f} ms p95" if result.p95_ms is not None else (result.note or "not measured")
        log(f"  {result.name:<44} {shown}")
    return results


# -- the workbooks -----------------------------------------------------------------------------
def _county(user):
    regions = EnterpriseImport().regions_for(user)
    counties = [region for region in regions if region.level == Region.Level.COUNTY]
    return (counties or regions)[0]


def _code(prefix, index):
    body = f"92{prefix}M"
    digits = ""
    number = index
    for _position in range(8):  # base 31 in the code's own characters
        digits = USCC_CHARSET[number % 31] + digits
        number //= 31
    body += digits
    return body + uscc_check_char(body)


def _wrong(code):
    right = code[17]
    return code[:17] + USCC_CHARSET[(USCC_CHARSET.index(right) + 1) % 31]


def enterprise_rows(region, rows, *, zones, salt=""):
    """(rows with errors, the same rows corrected, how many rows carry an error)."""
    prefix = region.code[:6] if region.code[:6].isdigit() and len(region.code) >= 6 else "370830"
    taken = set(Enterprise.objects.filter(credit_code__startswith=f"92{prefix}M").values_list("credit_code", flat=True))
    if taken:
        raise SystemExit(f"{len(taken)} enterprises from an earlier import bench are still in the database")
    clean, faulty = [], []
    errors = 0
    for index in range(rows):
        code = _code(prefix, index + (0 if not salt else 10_000_000))
        row = [
            code,
            f"{region.name}{salt}导入测试{index:05d}号有限公司",
            INDUSTRIES[index % len(INDUSTRIES)],
            "规上" if index % 3 == 0 else "规下",
            zones[index % len(zones)] if zones else "",
            f"{region.name}工业园{index % 97 + 1}号路{index % 300 + 1}号",
            20 + index % 900,
            f"{SURNAMES[index % len(SURNAMES)]}建{index % 10}",
            f"{SURNAMES[(index + 7) % len(SURNAMES)]}丽",
            f"13{index % 10}{index:08d}"[:11],
        ]
        clean.append(row)
        bad = list(row)
        if index % ERROR_EVERY == ERROR_EVERY // 2:
            kind = ERRORS[(index // ERROR_EVERY) % len(ERRORS)]
            errors += 1
            if kind == "check digit":
                bad[0] = _wrong(code)
            elif kind == "zone":
                bad[4] = (zones[0] if zones else region.name) + "新区"
            elif kind == "employees":
                bad[6] = "约三百人"
            elif kind == "duplicate code":
                bad[0] = clean[-2][0]
            elif kind == "no name":
                bad[1] = None
            else:
                bad[3] = "中型"
        faulty.append(bad)
    return faulty, clean, errors


def write_workbook(rows):
    """The rows as an xlsx in memory: headers in the first row (a sheet as both importers read it)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业台账")
    sheet.append(list(HEADERS.values()))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- ours ----------------------------------------------------------------------------------------
def _context(user, region):
    return ImportContext(user=user, region=region, filename="bench-enterprises.xlsx")


def our_check(data, user, region):
    result = check_workbook(io.BytesIO(data), kind=EnterpriseImport(), ctx=_context(user, region))
    return result.counts()


def our_import(data, user, region):
    """What confirming runs: the file checked again, then applied in one transaction."""
    ctx = _context(user, region)
    result = check_workbook(io.BytesIO(data), kind=EnterpriseImport(), ctx=ctx)
    if not apply_workbook(result, ctx):
        raise RuntimeError(f"the corrected file was refused: {result.report()['messages'][:3]}")
    return result.counts()


# -- django-import-export ---------------------------------------------------------------------------
def _resource_class(region):
    """A ModelResource for Enterprise with the same columns (by their Chinese headers), rows matched
    by credit code, new ones in `region`, zones by name among the region's, the library's defaults
    otherwise (one row at a time, full_clean of each instance)."""
    from import_export import fields, resources, widgets

    sizes = {str(label): value for value, label in Enterprise.Size.choices}

    class SizeWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return sizes.get(value, value) if value else Enterprise.Size.BELOW

    class ZoneWidget(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            return WorkZone.objects.filter(region=region)

    def column(attribute, widget=None):
        return fields.Field(attribute=attribute, column_name=HEADERS[attribute], widget=widget)

    class EnterpriseResource(resources.ModelResource):
        credit_code = column("credit_code")
        name = column("name")
        industry = column("industry")
        size = column("size", SizeWidget())
        zone = column("zone", ZoneWidget(WorkZone, field="name"))
        address = column("address")
        employees = column("employees", widgets.IntegerWidget())
        legal_representative = column("legal_representative")
        contact_name = column("contact_name")
        contact_phone = column("contact_phone")

        class Meta:
            model = Enterprise
            fields = tuple(HEADERS)
            import_id_fields = ("credit_code",)
            clean_model_instances = True

        def init_instance(self, row=None):
            return Enterprise(region=region)

    return EnterpriseResource


def their_import(data, region, *, dry_run):
    import tablib

    dataset = tablib.Dataset().load(io.BytesIO(data), format="xlsx")
    result = _resource_class(region)().import_data(dataset, dry_run=dry_run, raise_errors=False, use_transactions=True)
    invalid = len(result.invalid_rows) + sum(1 for row in result.rows if row.errors)
    totals = {str(key): value for key, value in result.totals.items()}
    if not dry_run and (result.has_errors() or result.has_validation_errors()):
        raise RuntimeError(f"django-import-export refused the corrected file ({invalid} rows)")
    return {"refused": invalid, "totals": totals}


# -- the rounds -----------------------------------------------------------------------------------
class _Counter:
    """Counts the queries and their time (Django's query log keeps only the last 9,000: too few for
    django-import-export's 20,000 rows), and keeps the three slowest."""

    def __init__(self):
        self.count, self.seconds, self.slowest = 0, 0.0, []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.count += 1
            self.seconds += spent
            if len(self.slowest) < 3 or spent > self.slowest[-1][0]:
                self.slowest = sorted([*self.slowest, (spent, sql)], key=lambda item: -item[0])[:3]


def _rolled_back(function):
    """(ms, queries, sql ms, slowest statements, outcome) of `function` run inside a transaction
    rolled back afterwards: what it wrote is gone."""
    counter = _Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        with transaction.atomic():
            outcome = function()
            transaction.set_rollback(True)
        elapsed = (time.perf_counter() - started) * 1000
    slowest = [{"ms": round(spent * 1000, 2), "sql": sql} for spent, sql in counter.slowest]
    return elapsed, counter.count, counter.seconds * 1000, slowest, outcome


def _peak_mb(function):
    """Peak memory Python allocated while `function` ran (tracemalloc; untimed, it slows Python)."""
    tracemalloc.start()
    try:
        with transaction.atomic():
            function()
            transaction.set_rollback(True)
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def _record(result, sample):
    elapsed, count, sql_ms, slowest, _outcome = sample
    result.samples_ms.append(elapsed)
    result.queries.append(count)
    result.sql_samples_ms.append(sql_ms)
    result.slowest_sql = slowest


def import_rounds(check_name, import_name, rows, user, *, runs):
    region = _county(user)
    zones = list(WorkZone.objects.filter(region=region).order_by("name").values_list("name", flat=True))
    faulty, clean, errors = enterprise_rows(region, rows, zones=zones)
    small_rows = max(rows // 100, 20)
    small_faulty, small_clean, _small_errors = enterprise_rows(region, small_rows, zones=zones, salt="小")
    files = {"faulty": write_workbook(faulty), "clean": write_workbook(clean)}
    small = {"faulty": write_workbook(small_faulty), "clean": write_workbook(small_clean)}
    del faulty, clean, small_faulty, small_clean
    check = Result(
        name=check_name,
        group="import",
        ms_target=f"<{CHECK_S}s, <{PEAK_MB} MB, queries constant",
        floor=IE_DRY,
        ratio_target=f"≤{1 / MIN_SPEEDUP:.2f}× i-e (≥{MIN_SPEEDUP:g}× faster)",
    )
    imported = Result(
        name=import_name,
        group="import",
        ms_target=f"<{IMPORT_S}s, <{PEAK_MB} MB, queries constant",
        floor=IE_IMPORT,
        ratio_target=check.ratio_target,
    )
    dry = Result(name=IE_DRY, group="floor", ms_target="")
    theirs = Result(name=IE_IMPORT, group="floor", ms_target="")
    steps = {
        check.name: (check, lambda f: our_check(f["faulty"], user, region)),
        imported.name: (imported, lambda f: our_import(f["clean"], user, region)),
        dry.name: (dry, lambda f: their_import(f["faulty"], region, dry_run=True)),
        theirs.name: (theirs, lambda f: their_import(f["clean"], region, dry_run=False)),
    }
    # Warm-up on the small files: the query counts of a hundredth of the rows, and every code path loaded.
    small_samples = {name: _rolled_back(lambda step=step: step[1](small)) for name, step in steps.items()}
    outcomes = {}
    for index in range(max(min(runs, ROUNDS), 1)):
        order = list(steps) if index % 2 == 0 else list(reversed(steps))
        for name in order:
            if index >= THEIR_ROUNDS and name in (dry.name, theirs.name):
                continue  # minutes per run at full size: django-import-export runs in the first round only
            result, function = steps[name]
            sample = _rolled_back(lambda function=function: function(files))
            _record(result, sample)
            outcomes[name] = sample[4]
    peaks = {
        check.name: _peak_mb(lambda: our_check(files["faulty"], user, region)),
        imported.name: _peak_mb(lambda: our_import(files["clean"], user, region)),
    }
    for floor_result in (dry, theirs):
        floor_result.summarise()
        floor_result.extra = {
            "outcome": outcomes.get(floor_result.name),
            "queries_small_file": small_samples[floor_result.name][1],
        }
    limits = {check.name: CHECK_S, imported.name: IMPORT_S}
    for result, their in ((check, dry), (imported, theirs)):
        small_queries = small_samples[result.name][1]
        constant = max(result.queries) <= small_queries + (rows - small_rows) // 100
        peak = peaks[result.name]
        result.summarise(value=None)
        result.ms_passed = bool(result.p95_ms is not None and result.p95_ms < limits[result.name] * 1000) and (
            peak < PEAK_MB and constant
        )
        if result.samples_ms and their.samples_ms:
            result.ratio = round(m.percentile(result.samples_ms, 95) / m.percentile(their.samples_ms, 95), 2)
            result.ratio_passed = result.ratio <= 1 / MIN_SPEEDUP
        result.passed = bool(result.ms_passed and result.ratio_passed)
        speedup = m.percentile(their.samples_ms, 95) / m.percentile(result.samples_ms, 95)
        result.extra = {
            "rows": rows,
            "error_rows": errors,
            "peak_mb": round(peak, 1),
            "peak_method": "tracemalloc",
            "queries_small_file": small_queries,
            "small_file_rows": small_rows,
            "queries_constant": constant,
            "speedup": round(speedup, 2),
            "outcome": outcomes.get(result.name),
            "theirs": outcomes.get(their.name),
        }
        fixed = "with errors" if result is check else "corrected"
        result.note = (
            f"{rows:,} rows ({errors} {fixed}): {result.p95_ms / 1000:.1f} s p95, {speedup:.1f}× faster than"
            f" django-import-export ({their.p95_ms / 1000:.1f} s, {their.max_queries:,} queries);"
            f" peak {peak:.0f} MB (tracemalloc); {result.max_queries} queries"
            f" ({small_queries} for {small_rows:,} rows)"
        )
    check.extra["refused"] = outcomes[check.name]["refused"]
    return [dry, theirs, check, imported]
