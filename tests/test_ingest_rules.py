"""Row rules (extracts.md §3–§6): a row that breaks one is quarantined with its reason, never
dropped silently or altered; above 0.5% of a file the whole delivery is refused.

Each cluster file has 400 rows (employees, contingent workers, ledger lines), so one or
two bad rows stay within the limit (2/400 = 0.5% is not above it).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from ingest_factories import (
    benefits,
    cluster_delivery,
    contingent,
    data_contents,
    employees,
    ingest,
    ledger,
    make_settings,
    milestones,
    programme_delivery,
    query,
    table,
)

from core.reference import load_organisations

WHEN = date(2026, 10, 31)
LABEL = "SYNERGY 2026-10-31"
LATER = date(2026, 11, 1)


def emp(**changes):
    """Employees with ``changes`` ({row: {column: value}}) applied."""
    rows = employees()
    for i, values in changes.items():
        rows[int(i.removeprefix("r"))].update(values)
    return rows


# (file, rows of that file, broken row numbers, expected reason)
CASES = {
    "person_key null": (
        "employees",
        emp(r5={"person_key": None}),
        [5],
        "person_key must not be null",
    ),
    "person_key empty": (
        "employees",
        emp(r5={"person_key": ""}),
        [5],
        "person_key must not be empty",
    ),
    "person_key repeated": (
        "employees",
        emp(r6={"person_key": "PKSYNERGY00005"}),
        [5, 6],
        "person_key must be unique in the file",
    ),
    "employee_id repeated": (
        "employees",
        emp(r7={"employee_id": "E00006"}),
        [6, 7],
        "employee_id must be unique in the file",
    ),
    "organisation of another cluster": (
        "employees",
        emp(r5={"organisation_code": "HMRC"}),
        [5],
        "organisation_code must be an organisation of cluster SYNERGY in the register",
    ),
    "organisation not in the register": (
        "employees",
        emp(r5={"organisation_code": "NOPE"}),
        [5],
        "organisation_code must be an organisation of cluster SYNERGY in the register",
    ),
    "grade not a code": (
        "employees",
        emp(r5={"grade": "G8"}),
        [5],
        "grade must be one of the contract's codes",
    ),
    "profession not a code": (
        "employees",
        emp(r5={"profession": "wizardry"}),
        [5],
        "profession must be one of the contract's codes",
    ),
    "region not a code": (
        "employees",
        emp(r5={"region": "TLZ"}),
        [5],
        "region must be one of the contract's codes",
    ),
    "employment_type null": (
        "employees",
        emp(r5={"employment_type": None}),
        [5],
        "employment_type must not be null",
    ),
    "employment_type not a code": (
        "employees",
        emp(r5={"employment_type": "temp"}),
        [5],
        "employment_type must be one of the contract's codes",
    ),
    "fte zero": ("employees", emp(r5={"fte": 0.0}), [5], "fte must be > 0 and <= 1"),
    "fte above one": ("employees", emp(r5={"fte": 1.01}), [5], "fte must be > 0 and <= 1"),
    "fte not a number": (
        "employees",
        emp(r5={"fte": float("nan")}),
        [5],
        "fte must be > 0 and <= 1",
    ),
    "salary a million": (
        "employees",
        emp(r5={"annual_salary_gbp": 1_000_000.0}),
        [5],
        "annual_salary_gbp must be > 0 and < 1000000",
    ),
    "salary null": (
        "employees",
        emp(r5={"annual_salary_gbp": None}),
        [5],
        "annual_salary_gbp must not be null",
    ),
    "civil service start after the extract date": (
        "employees",
        emp(r5={"civil_service_start_date": LATER}),
        [5],
        "civil_service_start_date must not be after the extract date",
    ),
    "organisation start after the extract date": (
        "employees",
        emp(r5={"organisation_start_date": LATER}),
        [5],
        "organisation_start_date must not be after the extract date",
    ),
    "manager not in the file": (
        "employees",
        emp(r5={"manager_employee_id": "E99999"}),
        [5],
        "manager_employee_id must refer to an employee_id in the same file",
    ),
    "sex not a code": (
        "employees",
        emp(r5={"sex": "x"}),
        [5],
        "sex must be one of the contract's codes",
    ),
    "ethnicity not a code": (
        "employees",
        emp(r5={"ethnicity": "x"}),
        [5],
        "ethnicity must be one of the contract's codes",
    ),
    "disability not a code": (
        "employees",
        emp(r5={"disability": "x"}),
        [5],
        "disability must be one of the contract's codes",
    ),
    "age_band null": ("employees", emp(r5={"age_band": None}), [5], "age_band must not be null"),
    "age_band not a code": (
        "employees",
        emp(r5={"age_band": "10-15"}),
        [5],
        "age_band must be one of the contract's codes",
    ),
}


def _rows(make, i, **values):
    rows = make()
    rows[i].update(values)
    return rows


CASES.update(
    {
        "worker_id repeated": (
            "contingent",
            _rows(contingent, 3, worker_id="W00002"),
            [2, 3],
            "worker_id must be unique in the file",
        ),
        "category not a code": (
            "contingent",
            _rows(contingent, 3, category="temp"),
            [3],
            "category must be one of the contract's codes",
        ),
        "day rate ten thousand": (
            "contingent",
            _rows(contingent, 3, day_rate_gbp=10_000.0),
            [3],
            "day_rate_gbp must be > 0 and < 10000",
        ),
        "engagement starts after the extract date": (
            "contingent",
            _rows(contingent, 3, engagement_start_date=LATER),
            [3],
            "engagement_start_date must not be after the extract date",
        ),
        "engagement ends before it starts": (
            "contingent",
            _rows(contingent, 2, engagement_end_date=date(2024, 12, 31)),
            [2],
            "engagement_end_date must not be before engagement_start_date",
        ),
        "journal_id empty": (
            "ledger",
            _rows(ledger, 3, journal_id=""),
            [3],
            "journal_id must not be empty",
        ),
        "line_number null": (
            "ledger",
            _rows(ledger, 3, line_number=None),
            [3],
            "line_number must not be null",
        ),
        "posting after the extract date": (
            "ledger",
            _rows(ledger, 3, posting_date=LATER),
            [3],
            "posting_date must not be after the extract date",
        ),
        "period not YYYY-MM": (
            "ledger",
            _rows(ledger, 3, period="2026-13"),
            [3],
            r"period must match ^[0-9]{4}-(0[1-9]|1[0-2])$",
        ),
        "ledger organisation of another cluster": (
            "ledger",
            _rows(ledger, 3, organisation_code="MOD"),
            [3],
            "organisation_code must be an organisation of cluster SYNERGY in the register",
        ),
        "cost_centre empty": (
            "ledger",
            _rows(ledger, 3, cost_centre=""),
            [3],
            "cost_centre must not be empty",
        ),
        "account_category not a code": (
            "ledger",
            _rows(ledger, 3, account_category="snacks"),
            [3],
            "account_category must be one of the contract's codes",
        ),
        "line repeated with different content": (
            "ledger",
            _rows(ledger, 4, line_number=4),
            [3, 4],
            "(journal_id, line_number) is repeated in the file with different content",
        ),
    }
)

FILES = {
    "employees": "employees.parquet",
    "contingent": "contingent_labour.parquet",
    "ledger": "ledger.parquet",
}


@pytest.mark.parametrize("case", list(CASES))
def test_row_rule_quarantines_the_row(tmp_path, capsys, case):
    kind, rows, bad, reason = CASES[case]
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", WHEN, **{f"{kind}_rows": rows})
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert f"loaded with {len(bad)} rows quarantined: {LABEL} (" in out
    held = query(
        settings, "SELECT file, row_number, reason, row FROM quarantine ORDER BY row_number"
    )
    assert [(f, n, r) for f, n, r, _ in held] == [(FILES[kind], i, reason) for i in bad]
    first = json.loads(held[0][3])
    assert first[next(iter(rows[bad[0]]))] == _jsonable(next(iter(rows[bad[0]].values())))
    log = query(settings, "SELECT outcome, rows_quarantined FROM load_log")
    assert log == [("loaded_with_quarantine", len(bad))]
    if kind == "employees":  # as at the date: the delivery's rows minus the quarantined ones
        got = query(settings, "SELECT count(*) FROM employees_as_at($d)", {"d": WHEN})[0][0]
        assert got == 400 - len(bad)


def _jsonable(value):
    return value if value is None or isinstance(value, str | int | float) else str(value)


def test_several_rules_of_one_row_are_all_named(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, employees_rows=emp(r9={"fte": 2.0, "grade": "X"}))
    assert ingest(settings, capsys)[0] == 0
    assert query(settings, "SELECT reason FROM quarantine") == [
        ("grade must be one of the contract's codes; fte must be > 0 and <= 1",)
    ]


def test_too_many_bad_rows_refuses_the_delivery(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, "SYNERGY", date(2026, 9, 30))
    assert ingest(settings, capsys)[0] == 0
    before = data_contents(settings)
    rows = emp(r1={"fte": 0.0}, r2={"fte": 1.5}, r3={"grade": "X"})
    cluster_delivery(settings.landing, "SYNERGY", WHEN, employees_rows=rows)
    code, out = ingest(settings, capsys)
    assert code == 1
    message = (
        f"{LABEL} employees.parquet: 3 of 400 rows (0.75%) broke rules (limit 0.5%):"
        " 2 × fte must be > 0 and <= 1, 1 × grade must be one of the contract's codes"
    )
    assert f"refused: {message}\n" in out
    assert data_contents(settings) == before
    assert query(
        settings, "SELECT outcome, reason FROM load_log WHERE extract_date = $d", {"d": WHEN}
    ) == [("refused", message)]


def test_bad_rows_of_a_small_file_refuse_it(tmp_path, capsys):
    settings = make_settings(tmp_path)
    cluster_delivery(settings.landing, contingent_rows=_rows(lambda: contingent(20), 0, fte=0.0))
    code, out = ingest(settings, capsys)
    assert code == 1
    assert (
        f"refused: {LABEL} contingent_labour.parquet: 1 of 20 rows (5%) broke rules (limit 0.5%):"
        " 1 × fte must be > 0 and <= 1\n"
    ) in out


# The programme register is small: one bad row is above 0.5%, so each rule refuses.
PROGRAMME_CASES = {
    "milestone_id repeated": (
        "milestones",
        1,
        {"milestone_id": "M000"},
        "2 × milestone_id must be unique in the file",
    ),
    "cluster not a code": (
        "milestones",
        1,
        {"cluster": "NOWHERE"},
        "1 × cluster must be one of the contract's codes",
    ),
    "title empty": ("milestones", 1, {"title": ""}, "1 × title must not be empty"),
    "stage not a code": (
        "milestones",
        1,
        {"stage": "dreaming"},
        "1 × stage must be one of the contract's codes",
    ),
    "baseline null": (
        "milestones",
        1,
        {"baseline_date": None},
        "1 × baseline_date must not be null",
    ),
    "rating not a code": (
        "milestones",
        2,
        {"dca_rating": "purple"},
        "1 × dca_rating must be one of the contract's codes",
    ),
    "five-point rating on a three-point scale": (
        "milestones",
        1,
        {"dca_rating": "amber_red"},
        "1 × dca_rating must be green, amber or red on the three-point scale",
    ),
    "scale not a code": (
        "milestones",
        1,
        {"dca_scale": "ten_point"},
        "1 × dca_scale must be one of the contract's codes",
    ),
    "benefit cluster ALL": (
        "benefits",
        0,
        {"cluster": "ALL"},
        "1 × cluster must be one of the contract's codes",
    ),
    "financial year not consecutive": (
        "benefits",
        0,
        {"financial_year": "2025-27"},
        "1 × financial_year must be a financial year like 2024-25",
    ),
    "financial year not YYYY-YY": (
        "benefits",
        0,
        {"financial_year": "25-26"},
        "1 × financial_year must match ^\\d{4}-\\d{2}$",
    ),
    "measure not a code": (
        "benefits",
        0,
        {"measure": "vibes"},
        "1 × measure must be one of the contract's codes",
    ),
    "planned null": ("benefits", 0, {"planned_gbp": None}, "1 × planned_gbp must not be null"),
    "planned infinite": (
        "benefits",
        0,
        {"planned_gbp": float("inf")},
        "1 × planned_gbp must be a finite number",
    ),
    "actual not a number": (
        "benefits",
        0,
        {"actual_gbp": float("nan")},
        "1 × actual_gbp must be a finite number",
    ),
    "hours infinite": (
        "benefits",
        0,
        {"hours_released": float("-inf")},
        "1 × hours_released must be a finite number",
    ),
    "key repeated": (
        "benefits",
        1,
        {"financial_year": "2025-26"},
        "2 × (cluster, financial_year, measure) must be unique in the file",
    ),
}


@pytest.mark.parametrize("case", list(PROGRAMME_CASES))
def test_programme_row_rules(tmp_path, capsys, case):
    kind, i, values, counted = PROGRAMME_CASES[case]
    settings = make_settings(tmp_path)
    rows = milestones() if kind == "milestones" else benefits()
    rows[i].update(values)
    programme_delivery(settings.landing, WHEN, **{f"{kind[:-1]}_rows": rows})
    code, out = ingest(settings, capsys)
    assert code == 1
    n = len(rows)
    bad = int(counted.split(" × ")[0])
    assert (
        f"refused: PROGRAMME 2026-10-31 {kind}.parquet: {bad} of {n} rows ({100 * bad / n:.3g}%)"
        f" broke rules (limit 0.5%): {counted}\n"
    ) in out


def test_programme_delivery_with_one_bad_row_in_many_quarantines_it(tmp_path, capsys):
    settings = make_settings(tmp_path)
    rows = milestones(200)
    rows[7].update(dca_scale="three_point", dca_rating="amber_green")
    programme_delivery(settings.landing, WHEN, milestone_rows=rows)
    assert ingest(settings, capsys)[0] == 0
    assert query(settings, "SELECT row_number, reason FROM quarantine") == [
        (7, "dca_rating must be green, amber or red on the three-point scale")
    ]
    assert query(settings, "SELECT count(*) FROM milestones_as_at($d)", {"d": WHEN}) == [(199,)]


def test_accepted_alternative_types_load(tmp_path, capsys):
    """line_number as int32 and amount_gbp as double are accepted (extracts.md §5)."""
    settings = make_settings(tmp_path)
    led = table(ledger(), "ledger.parquet")
    led = led.set_column(1, "line_number", pc.cast(led["line_number"], pa.int32()))
    led = led.set_column(7, "amount_gbp", pc.cast(led["amount_gbp"], pa.float64()))
    cluster_delivery(settings.landing, tables={"ledger.parquet": led})
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert query(settings, "SELECT sum(amount_gbp), count(*) FROM ledger_lines") == [
        (sum(r["amount_gbp"] for r in ledger()), 400)
    ]


def test_double_amount_that_is_not_whole_pence_is_quarantined(tmp_path, capsys):
    settings = make_settings(tmp_path)
    led = table(ledger(), "ledger.parquet")
    amounts = led["amount_gbp"].to_pylist()
    amounts[3] = Decimal("1.005")
    led = led.set_column(7, "amount_gbp", pa.array([float(a) for a in amounts], pa.float64()))
    cluster_delivery(settings.landing, tables={"ledger.parquet": led})
    assert ingest(settings, capsys)[0] == 0
    assert query(settings, "SELECT row_number, reason FROM quarantine") == [
        (3, "amount_gbp must be in whole pence within decimal(18,2)")
    ]


def test_a_refused_delivery_is_verified_again_when_the_register_changes(tmp_path, capsys):
    """The register is the rules' one outside input: same bytes under a new register may load."""
    settings = make_settings(tmp_path)
    reference = tmp_path / "reference"
    reference.mkdir()
    register = (settings.reference / "organisations.csv").read_text()
    (reference / "organisations.csv").write_text(register)
    settings = settings.model_copy(update={"reference": reference})
    rows = employees()
    for row in rows[:40]:
        row["organisation_code"] = "NEWCO"
    cluster_delivery(settings.landing, employees_rows=rows)
    code, out = ingest(settings, capsys)
    assert code == 1
    assert "40 × organisation_code must be an organisation of cluster SYNERGY" in out
    assert ingest(settings, capsys)[0] == 1
    (reference / "organisations.csv").write_text(
        register + "NEWCO,New Co,executive_agency,DWP,SYNERGY,40,40,30000\n"
    )
    load_organisations.cache_clear()
    code, out = ingest(settings, capsys)
    assert code == 0, out
    assert "loaded: SYNERGY 2026-10-31 (" in out
