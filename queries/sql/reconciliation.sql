-- The metric reconciliation: its definition (parameters, dimensions, columns) is reconciliation.toml.
WITH
hr AS (
    SELECT cluster, department, organisation_code,
           1 AS headcount,
           annual_salary_gbp * fte / 12 AS hr_salary_gbp,
           0.0 AS ledger_salary_gbp,
           0.0 AS ledger_pension_gbp,
           0.0 AS ledger_ni_gbp
    FROM workforce_at(last_day(CAST($period || '-01' AS DATE)))
),
ledger AS (
    SELECT cluster, department, organisation_code,
           0 AS headcount,
           0.0 AS hr_salary_gbp,
           CASE WHEN account_category = 'payroll_salary'
                THEN CAST(amount_gbp AS DOUBLE) ELSE 0.0 END AS ledger_salary_gbp,
           CASE WHEN account_category = 'payroll_employer_pension'
                THEN CAST(amount_gbp AS DOUBLE) ELSE 0.0 END AS ledger_pension_gbp,
           CASE WHEN account_category = 'payroll_employer_ni'
                THEN CAST(amount_gbp AS DOUBLE) ELSE 0.0 END AS ledger_ni_gbp
    FROM ledger_at($as_at)
    WHERE period = $period
      AND account_category IN
          ('payroll_salary', 'payroll_employer_pension', 'payroll_employer_ni')
),
both_sides AS (
    SELECT * FROM hr
    UNION ALL BY NAME
    SELECT * FROM ledger
),
scoped AS (
    SELECT * FROM both_sides
    WHERE list_contains($clusters, cluster) {{filters}}
),
sums AS (
    SELECT {{dims}}
        CAST(sum(headcount) AS BIGINT) AS headcount,
        sum(hr_salary_gbp) AS hr_salary_gbp,
        sum(hr_salary_gbp) * $pension_rate AS hr_pension_gbp,
        sum(hr_salary_gbp) * $ni_rate AS hr_ni_gbp,
        sum(ledger_salary_gbp) AS ledger_salary_gbp,
        sum(ledger_pension_gbp) AS ledger_pension_gbp,
        sum(ledger_ni_gbp) AS ledger_ni_gbp
    FROM scoped
    GROUP BY ALL
    HAVING count(*) > 0
),
totals AS (
    SELECT *,
           hr_salary_gbp + hr_pension_gbp + hr_ni_gbp AS hr_paybill_gbp,
           ledger_salary_gbp + ledger_pension_gbp + ledger_ni_gbp AS ledger_paybill_gbp
    FROM sums
),
final AS (
    SELECT *,
           ledger_paybill_gbp - hr_paybill_gbp AS variance_gbp,
           (ledger_paybill_gbp - hr_paybill_gbp) / nullif(hr_paybill_gbp, 0) AS variance_pct,
           CASE WHEN hr_paybill_gbp = 0 THEN ledger_paybill_gbp <> 0
                ELSE abs((ledger_paybill_gbp - hr_paybill_gbp) / hr_paybill_gbp) > $tolerance
           END AS flagged
    FROM totals
)
SELECT * FROM final
ORDER BY ALL
