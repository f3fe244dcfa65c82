"""The mapping file (sources.md §2): each fault is ONE line naming the file, the table and the
key, checked against the contract's own code lists and the register's organisations."""

from __future__ import annotations

from pathlib import Path

import pytest
from native_factories import MAPPINGS

from core.reference import organisations_by_cluster
from core.settings import Settings
from pipeline.sources.mapping import MappingError, load_mapping

REGISTER = frozenset().union(*organisations_by_cluster(Settings().organisations_csv).values())
MINIMAL = 'system = "oracle_hcm"\n'


def load(folder: Path, text: str | bytes, name: str = "DEFENCE"):
    path = folder / f"{name}.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return load_mapping(folder, name, REGISTER)


def fault(folder: Path, text: str | bytes) -> str:
    with pytest.raises(MappingError) as caught:
        load(folder, text)
    message = str(caught.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize("name", ["golden_oracle", "golden_workday", "golden_sap"])
def test_the_golden_mappings_load(name):
    mapping = load_mapping(MAPPINGS, name, REGISTER)
    assert mapping.file == f"{name}.toml" and len(mapping.sha256) == 64


def test_defaults_are_utf8_and_iso_dates(tmp_path):
    spec = load(tmp_path, MINIMAL).spec
    assert (spec.encoding, spec.date_format, spec.grade) == ("utf-8", "%Y-%m-%d", {})


def test_a_missing_mapping_file(tmp_path):
    with pytest.raises(MappingError) as caught:
        load_mapping(tmp_path, "DEFENCE", REGISTER)
    assert str(caught.value) == f"mapping DEFENCE.toml: not found in the mappings folder {tmp_path}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'system = "oracle_hcm"\n[grade]\nB1 = G6\n',
            "mapping DEFENCE.toml: not valid TOML (Invalid value (at line 3, column 6))",
        ),
        (b'system = "oracle_hcm"\n# caf\xe9\n', "mapping DEFENCE.toml: not UTF-8 text"),
        ('encoding = "cp1252"\n', "mapping DEFENCE.toml: system is missing"),
        (
            'system = "peoplesoft"\n',
            "mapping DEFENCE.toml system: 'peoplesoft' is not a known system"
            " (oracle_hcm, workday, sap_successfactors)",
        ),
        (
            MINIMAL + 'encoding = "latin-1"\n',
            "mapping DEFENCE.toml encoding: 'latin-1' is not utf-8 or cp1252",
        ),
        (
            MINIMAL + "[grades]\nB1 = 'G6'\n",
            "mapping DEFENCE.toml [grades]: not a setting or table of a mapping file",
        ),
        (
            MINIMAL + "[grade]\nB1 = 6\n",
            "mapping DEFENCE.toml [grade] 'B1': must be a string (\"\" for unknown)",
        ),
        (
            MINIMAL + "[grade]\nB1 = 'G5'\n",
            "mapping DEFENCE.toml [grade] 'B1': 'G5' is not a code of grade"
            " (AA, AO, EO, HEO, SEO, G7, G6, SCS1, SCS2, SCS3, PS)",
        ),
        (
            MINIMAL + "[account]\n51100 = 'salaries'\n",
            "mapping DEFENCE.toml [account] '51100': 'salaries' is not a code of account_category"
            " (payroll_salary, payroll_allowances, payroll_overtime, payroll_non_consolidated,"
            " payroll_employer_pension, payroll_employer_ni, contingent_labour, consultancy,"
            " programme_cost, it_systems, estates, other_non_pay)",
        ),
        (
            MINIMAL + "[employment_type]\nCasual = ''\n",
            "mapping DEFENCE.toml [employment_type] 'Casual': \"\" (unknown) is not allowed:"
            " employment_type may not be null",
        ),
        (
            MINIMAL + "[organisations]\n'Ministry of Defence' = 'MOD2'\n",
            "mapping DEFENCE.toml [organisations] 'Ministry of Defence': 'MOD2' is not a code of"
            " organisation_code (the register's organisation codes)",
        ),
        (
            MINIMAL + "[region]\n' MWH' = 'TLI'\n",
            "mapping DEFENCE.toml [region] ' MWH': a value is matched after trimming spaces, so"
            " the key cannot be empty or start or end with a space",
        ),
        (
            MINIMAL + 'date_format = "%m/%Y"\n',
            "mapping DEFENCE.toml date_format: '%m/%Y' is not a strftime format of a whole date"
            " like %d/%m/%Y",
        ),
        (
            'system = "workday"\n',
            "mapping DEFENCE.toml: standard_weekly_hours is missing (workday gives contracted"
            " hours)",
        ),
        (
            'system = "sap_successfactors"\n',
            "mapping DEFENCE.toml: financial_year_start_month is missing (sap_successfactors"
            " periods)",
        ),
        (
            'system = "sap_successfactors"\nfinancial_year_start_month = 13\n',
            "mapping DEFENCE.toml financial_year_start_month: Input should be less than or"
            " equal to 12",
        ),
        (
            'system = "workday"\nstandard_weekly_hours = "37"\n',
            "mapping DEFENCE.toml standard_weekly_hours: Input should be a valid number",
        ),
    ],
)
def test_each_fault_is_one_line_naming_file_table_and_key(tmp_path, text, message):
    assert fault(tmp_path, text) == message


def test_a_mapping_file_too_large_is_refused(tmp_path):
    assert fault(tmp_path, MINIMAL + "#" * (1 << 20)) == (
        "mapping DEFENCE.toml: larger than 1024 KiB, so not a mapping file"
    )


def test_null_is_allowed_where_the_contract_column_may_be_null(tmp_path):
    mapping = load(tmp_path, MINIMAL + "[grade]\nX = ''\n[sex]\nU = ''\n")
    assert mapping.table("grade") == {"X": ""} and mapping.table("sex") == {"U": ""}


def test_a_byte_order_mark_is_ignored(tmp_path):
    assert load(tmp_path, b"\xef\xbb\xbf" + MINIMAL.encode()).spec.system == "oracle_hcm"


def test_a_mapping_is_checked_once_per_content_and_again_once_it_changes(tmp_path):
    first = load(tmp_path, MINIMAL + "[grade]\nB1 = 'EO'\n")
    assert load_mapping(tmp_path, "DEFENCE", REGISTER) is first  # same bytes: parsed once
    changed = load(tmp_path, MINIMAL + "[grade]\nB1 = 'HEO'\n")
    assert changed.table("grade") == {"B1": "HEO"} and changed.sha256 != first.sha256
    # back to a bad value: the fault is found again, never a stale mapping that passed
    assert fault(tmp_path, MINIMAL + "[grade]\nB1 = 'G5'\n").startswith(
        "mapping DEFENCE.toml [grade] 'B1': 'G5' is not a code of grade"
    )
    # the same bytes checked against another register are checked again
    org = MINIMAL + "[organisations]\n'Ministry of Defence' = 'MOD'\n"
    assert load(tmp_path, org).table("organisations") == {"Ministry of Defence": "MOD"}
    with pytest.raises(MappingError, match="'MOD' is not a code of organisation_code"):
        load_mapping(tmp_path, "DEFENCE", REGISTER - {"MOD"})
