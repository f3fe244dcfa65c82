"""`workforce query` against the limit and the peer (issue 4's targets).

For each metric, three whole processes compute the same rows, side by side:

* ``workforce query ...`` on the warehouse;
* a bare Python process running the equivalent DuckDB SQL straight over the landing zone's
  parquet files (the limit: no warehouse, no project code);
* a pandas script over the same parquet files (the peer an analyst would otherwise write).

Targets: workforce ≤ 1.5× bare DuckDB and ≤ 0.2× pandas; the median of several runs each.

And in-process, as the pages call it: the workforce metric by organisation and grade through
``queries.runner.run`` on one open read-only connection, at several as-at dates (target: under
100 ms "as at any date"); the median of warm runs, the macros' definition on a fresh cursor
(``prepare``) included.
"""

from __future__ import annotations

import statistics
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

from benchmarks.measure import measure

AS_AT = "2026-06-15"
FROM_DATE, TO_DATE = "2025-11-30", "2026-11-24"
# the first month-end loaded, a date between snapshots, the last night
IN_PROCESS_DATES = ("2024-11-30", "2025-01-31", AS_AT, "2026-11-24")


def _snapshot_files(landing: Path, as_at: str, name: str) -> list[str]:
    files = []
    for cluster in ("DEFENCE", "MATRIX", "OVERSEAS", "SYNERGY", "UNITY"):
        dates = sorted(p.name for p in (landing / cluster).iterdir() if p.name <= as_at)
        if dates:
            files.append(str(landing / cluster / dates[-1] / name))
    return files


def cases(landing: Path, warehouse: Path) -> dict[str, dict[str, list[str]]]:
    """metric → {"workforce": argv, "duckdb": argv, "pandas": argv}."""
    emp_at = _snapshot_files(landing, AS_AT, "employees.parquet")
    emp_from = _snapshot_files(landing, FROM_DATE, "employees.parquet")
    emp_to = _snapshot_files(landing, TO_DATE, "employees.parquet")
    cont_at = _snapshot_files(landing, AS_AT, "contingent_labour.parquet")
    ledgers = sorted(
        str(p) for p in landing.glob("*/*/ledger.parquet") if "PROGRAMME" not in str(p)
    )
    cli = [sys.executable, "-m", "pipeline.cli", "query"]
    wh = ["--warehouse", str(warehouse)]
    py = [sys.executable, "-c"]
    one_person = (
        "QUALIFY row_number() OVER (PARTITION BY person_key "
        "ORDER BY organisation_start_date DESC, filename DESC) = 1"
    )
    return {
        "workforce": {
            "workforce": [
                *cli,
                "workforce",
                "--as-at",
                AS_AT,
                "--by",
                "organisation_code,grade",
                *wh,
            ],
            "duckdb": [
                *py,
                textwrap.dedent(f"""
                import duckdb, sys
                rel = duckdb.sql('''
                    WITH p AS (SELECT * FROM read_parquet({emp_at!r}, filename=true) {one_person})
                    SELECT organisation_code, coalesce(grade, 'unknown') AS grade,
                           count(*) AS headcount, sum(fte) AS fte,
                           sum(annual_salary_gbp * fte) AS paybill_gbp
                    FROM p GROUP BY ALL ORDER BY ALL''')
                rel.write_csv('/dev/stdout')
            """),
            ],
            "pandas": [
                *py,
                textwrap.dedent(f"""
                import pandas as pd, sys
                frames = [pd.read_parquet(f).assign(f=f) for f in {emp_at!r}]
                p = pd.concat(frames).sort_values(['organisation_start_date', 'f'],
                    ascending=False).drop_duplicates('person_key')
                p['grade'] = p['grade'].fillna('unknown')
                p['paybill_gbp'] = p['annual_salary_gbp'] * p['fte']
                out = p.groupby(['organisation_code', 'grade']).agg(
                    headcount=('person_key', 'size'), fte=('fte', 'sum'),
                    paybill_gbp=('paybill_gbp', 'sum')).reset_index()
                out.to_csv(sys.stdout, index=False)
            """),
            ],
        },
        "flows": {
            "workforce": [
                *cli,
                "flows",
                "--from",
                FROM_DATE,
                "--to",
                TO_DATE,
                "--by",
                "cluster",
                *wh,
            ],
            "duckdb": [
                *py,
                textwrap.dedent(f"""
                import duckdb, sys
                rel = duckdb.sql('''
                    WITH a AS (SELECT person_key, split_part(filename, '/', -3) AS cluster
                               FROM read_parquet({emp_from!r}, filename=true) {one_person}),
                         b AS (SELECT person_key, split_part(filename, '/', -3) AS cluster
                               FROM read_parquet({emp_to!r}, filename=true) {one_person}),
                         s AS (SELECT a.cluster, 1 AS hs, 0 AS he, 0 AS j,
                                 (b.person_key IS NULL)::INT AS l, 0 AS ti,
                                 (b.cluster <> a.cluster)::INT AS t_o
                               FROM a LEFT JOIN b USING (person_key)),
                         e AS (SELECT b.cluster, 0, 1, (a.person_key IS NULL)::INT, 0,
                                 (a.cluster <> b.cluster)::INT, 0
                               FROM b LEFT JOIN a USING (person_key))
                    SELECT cluster, sum(hs) headcount_start, sum(j) joiners, sum(l) leavers,
                           sum(ti) transfers_in, sum(t_o) transfers_out, sum(he) headcount_end
                    FROM (SELECT * FROM s UNION ALL SELECT * FROM e) GROUP BY 1 ORDER BY 1''')
                rel.write_csv('/dev/stdout')
            """),
            ],
            "pandas": [
                *py,
                textwrap.dedent(f"""
                import pandas as pd, sys
                def load(files):
                    frames = [pd.read_parquet(f, columns=['person_key', 'organisation_start_date'])
                              .assign(cluster=f.split('/')[-3], f=f) for f in files]
                    return pd.concat(frames).sort_values(['organisation_start_date', 'f'],
                        ascending=False).drop_duplicates('person_key')[['person_key', 'cluster']]
                a, b = load({emp_from!r}), load({emp_to!r})
                m = a.merge(b, on='person_key', how='outer', suffixes=('_a', '_b'))
                rows = []
                for c in sorted(set(m.cluster_a.dropna()) | set(m.cluster_b.dropna())):
                    sa, sb = m[m.cluster_a == c], m[m.cluster_b == c]
                    rows.append(dict(cluster=c, headcount_start=len(sa),
                        joiners=int(sb.cluster_a.isna().sum()),
                        leavers=int(sa.cluster_b.isna().sum()),
                        transfers_in=int((sb.cluster_a.notna() & (sb.cluster_a != c)).sum()),
                        transfers_out=int((sa.cluster_b.notna() & (sa.cluster_b != c)).sum()),
                        headcount_end=len(sb)))
                pd.DataFrame(rows).to_csv(sys.stdout, index=False)
            """),
            ],
        },
        "contingent": {
            "workforce": [*cli, "contingent", "--as-at", AS_AT, "--by", "category", *wh],
            "duckdb": [
                *py,
                textwrap.dedent(f"""
                import duckdb, sys
                rel = duckdb.sql('''SELECT category, count(*) workers, sum(fte) fte,
                    sum(day_rate_gbp * fte * 220) annualised_cost_gbp
                    FROM read_parquet({cont_at!r}) GROUP BY 1 ORDER BY 1''')
                rel.write_csv('/dev/stdout')
            """),
            ],
            "pandas": [
                *py,
                textwrap.dedent(f"""
                import pandas as pd, sys
                c = pd.concat([pd.read_parquet(f) for f in {cont_at!r}])
                c['cost'] = c.day_rate_gbp * c.fte * 220
                c.groupby('category').agg(workers=('worker_id', 'size'), fte=('fte', 'sum'),
                    annualised_cost_gbp=('cost', 'sum')).reset_index().to_csv(
                    sys.stdout, index=False)
            """),
            ],
        },
        "spend": {
            "workforce": [
                *cli,
                "spend",
                "--from",
                "2025-04",
                "--to",
                "2026-03",
                "--by",
                "account_category",
                *wh,
            ],
            "duckdb": [
                *py,
                textwrap.dedent(f"""
                import duckdb, sys
                rel = duckdb.sql('''
                    WITH l AS (SELECT DISTINCT ON (split_part(filename, '/', -3), journal_id,
                                   line_number) *
                               FROM read_parquet({ledgers!r}, filename=true))
                    SELECT account_category, sum(amount_gbp) amount_gbp FROM l
                    WHERE period BETWEEN '2025-04' AND '2026-03' GROUP BY 1 ORDER BY 1''')
                rel.write_csv('/dev/stdout')
            """),
            ],
            "pandas": [
                *py,
                textwrap.dedent(f"""
                import pandas as pd, sys
                l = pd.concat([pd.read_parquet(f).assign(cluster=f.split('/')[-3])
                               for f in {ledgers!r}])
                l = l.drop_duplicates(['cluster', 'journal_id', 'line_number'])
                l = l[(l.period >= '2025-04') & (l.period <= '2026-03')]
                l.amount_gbp = l.amount_gbp.astype(float)
                l.groupby('account_category').amount_gbp.sum().reset_index().to_csv(
                    sys.stdout, index=False)
            """),
            ],
        },
    }


def bench(landing: Path, warehouse: Path, repeats: int = 5) -> list[dict]:
    rows = []
    for metric, commands in cases(landing, warehouse).items():
        seconds = {}
        for who, argv in commands.items():
            runs = [measure(argv) for _ in range(repeats)]
            seconds[who] = statistics.median(r.seconds for r in runs)
            seconds[who + "_mib"] = max(r.peak_mib for r in runs)
        rows.append(
            {
                "metric": metric,
                **seconds,
                "vs_duckdb": seconds["workforce"] / seconds["duckdb"],
                "vs_pandas": seconds["workforce"] / seconds["pandas"],
            }
        )
    return rows


def in_process(warehouse: Path, repeats: int = 20) -> list[dict]:
    """Per as-at date: the median and slowest of ``repeats`` warm runs of the workforce metric
    by organisation and grade, in milliseconds, and its headcount."""
    from core.warehouse import connect_readonly
    from queries.runner import CLUSTERS, Request, run

    rows = []
    con = connect_readonly(warehouse)
    try:
        for when in IN_PROCESS_DATES:
            as_at = date.fromisoformat(when)
            request = Request(
                "workforce", CLUSTERS, {"as_at": as_at}, ("organisation_code", "grade")
            )
            for _ in range(3):  # warm: the blocks read, the process's memory mapped
                frame = run(con, request)
            times = []
            for _ in range(repeats):
                began = time.perf_counter()
                run(con, request)
                times.append((time.perf_counter() - began) * 1000)
            rows.append(
                {
                    "as_at": when,
                    "median_ms": statistics.median(times),
                    "max_ms": max(times),
                    "headcount": int(frame["headcount"].sum()),
                }
            )
    finally:
        con.close()
    return rows


if __name__ == "__main__":
    for row in in_process(Path(sys.argv[2])):
        print({k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()})
    for row in bench(Path(sys.argv[1]), Path(sys.argv[2]), repeats=3):
        print({k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()})
