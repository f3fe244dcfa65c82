"""Row rules as SQL, derived from the contract's row models (extracts.md §3–§6).

:func:`row_rules` turns each :class:`~core.contract.ColumnSpec` (and the few rules that
span columns or files) into a :class:`Rule`: a boolean SQL condition that is true when a row
breaks it, and a one-line, value-free message naming the column and the rule.
:func:`faults_sql` combines them into ONE vectorised query per file, returning the file row
number and the list of broken rules of every faulty row.  All values (bounds, code lists,
the organisations of the cluster, the extract date, the messages) are bound parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.contract import (
    COMPOSITE_KEYS,
    THREE_POINT_RATINGS,
    ContractRow,
    MilestoneRow,
    column_specs,
)
from pipeline.sql import Params, ident, idents

# Incremental, at-least-once files: a key repeated with identical content is a re-send to
# skip and count, not a fault.  Only differing content under one key is a fault.
AT_LEAST_ONCE = {"ledger.parquet"}


@dataclass(frozen=True)
class Rule:
    message: str  # one line naming the column and the rule, without the row's values
    condition: str  # SQL, true when the row breaks the rule (wrapped in coalesce(…, false))


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "") if float(value).is_integer() else repr(value)


def row_rules(
    model: type[ContractRow], file: str, table: str, p: Params, feed: str, organisations: list[str]
) -> list[Rule]:
    """Every row rule of ``model``'s file, over the staged ``table`` (one row per file row)."""
    rules: list[Rule] = []
    src = ident(table)
    for s in column_specs(model):
        c = ident(s.name)
        if not s.nullable:
            rules.append(Rule(f"{s.name} must not be null", f"{c} IS NULL"))
        if s.allowed is not None:
            rules.append(
                Rule(
                    f"{s.name} must be one of the contract's codes",
                    f"NOT list_contains({p(list(s.allowed))}, {c})",
                )
            )
        # NaN and infinity are no amount or number of hours; a column bounded on both sides
        # refuses them already (in DuckDB NaN sorts above every number), so says no more
        both_bounds = (s.gt, s.ge) != (None, None) and (s.lt, s.le) != (None, None)
        if s.arrow_type == "double" and not both_bounds:
            rules.append(Rule(f"{s.name} must be a finite number", f"NOT isfinite({c})"))
        bounds = [(op, getattr(s, name)) for name, op in _BOUNDS if getattr(s, name) is not None]
        if bounds:
            text = " and ".join(f"{op} {_number(v)}" for op, v in bounds)
            test = " AND ".join(f"{c} {op} {p(v)}" for op, v in bounds)
            rules.append(Rule(f"{s.name} must be {text}", f"NOT ({test})"))
        if s.min_length:
            rules.append(Rule(f"{s.name} must not be empty", f"length({c}) < {p(s.min_length)}"))
        if s.pattern:
            rules.append(
                Rule(
                    f"{s.name} must match {s.pattern}",
                    f"NOT regexp_full_match({c}, {p(s.pattern)})",
                )
            )
        if s.financial_year:
            rules.append(
                Rule(
                    f"{s.name} must be a financial year like 2024-25",
                    f"(TRY_CAST(substr({c}, 1, 4) AS INTEGER) + 1) % 100"
                    f" IS DISTINCT FROM TRY_CAST(substr({c}, 6) AS INTEGER)",
                )
            )
        if s.unique:
            rules.append(
                Rule(
                    f"{s.name} must be unique in the file",
                    f"{c} IN (SELECT {c} FROM {src} GROUP BY 1 HAVING count(*) > 1)",
                )
            )
        if s.not_after_extract_date:
            rules.append(
                Rule(f"{s.name} must not be after the extract date", f"{c} > $extract_date")
            )
        if s.organisation_of_cluster:
            rules.append(
                Rule(
                    f"{s.name} must be an organisation of cluster {feed} in the register",
                    f"NOT list_contains({p(organisations)}, {c})",
                )
            )
        if s.references:
            r = ident(s.references)
            rules.append(
                Rule(
                    f"{s.name} must refer to an {s.references} in the same file",
                    f"{c} NOT IN (SELECT {r} FROM {src} WHERE {r} IS NOT NULL)",
                )
            )
        if s.not_before:
            rules.append(
                Rule(f"{s.name} must not be before {s.not_before}", f"{c} < {ident(s.not_before)}")
            )
        if s.arrow_type == "decimal":
            # A double cannot hold pence exactly: allow it a thousandth of a penny of noise.
            pence = f"CAST({c} AS DOUBLE) * 100"
            rules.append(
                Rule(
                    f"{s.name} must be in whole pence within decimal(18,2)",
                    f"TRY_CAST({c} AS DECIMAL(18, 2)) IS NULL"
                    f" OR abs({pence} - round({pence})) > {p(0.001)}",
                )
            )
    rules.extend(_file_rules(model, file, src, p))
    return rules


_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _file_rules(model: type[ContractRow], file: str, src: str, p: Params) -> list[Rule]:
    rules = []
    key = COMPOSITE_KEYS.get(file)
    if key:
        cols = idents(key)
        label = f"({', '.join(key)})"
        if file in AT_LEAST_ONCE:
            rest = idents([s.name for s in column_specs(model) if s.name not in key])
            rules.append(
                Rule(
                    f"{label} is repeated in the file with different content",
                    f"row({cols}) IN (SELECT row({cols}) FROM {src} GROUP BY ALL"
                    f" HAVING count(DISTINCT row({rest})) > 1)",
                )
            )
        else:
            rules.append(
                Rule(
                    f"{label} must be unique in the file",
                    f"row({cols}) IN (SELECT row({cols}) FROM {src} GROUP BY ALL"
                    " HAVING count(*) > 1)",
                )
            )
    if model is MilestoneRow:
        rules.append(
            Rule(
                "dca_rating must be green, amber or red on the three-point scale",
                f"{ident('dca_scale')} = {p('three_point')} AND {ident('dca_rating')} IS NOT NULL"
                f" AND NOT list_contains({p(sorted(THREE_POINT_RATINGS))}, {ident('dca_rating')})",
            )
        )
    return rules


def faults_sql(rules: list[Rule], table: str, p: Params, row: str) -> str:
    """One query over ``table``: (``row``, reasons VARCHAR[]) for every row breaking a rule."""
    conditions = [f"coalesce(({r.condition}), false)" for r in rules]
    reasons = ", ".join(
        f"CASE WHEN {cond} THEN {p(r.message)} END"
        for cond, r in zip(conditions, rules, strict=True)
    )
    return (
        f"SELECT {ident(row)}, list_filter([{reasons}], lambda m: m IS NOT NULL) AS reasons\n"
        f"FROM {ident(table)}\nWHERE {' OR '.join(conditions)}"
    )
