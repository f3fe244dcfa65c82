-- Reconciliation: a month's pay as HR records imply it against the pay spend the ledger posted.
--   HR side: the workforce as at the period's month-end (extracts.md §7, one person one
--     count): salary = sum of annual_salary_gbp × fte ÷ 12; employer pension = salary ×
--     $pension_rate; employer NI = salary × $ni_rate (the flat published on-cost rates the
--     payroll posts: queries/constants.py).
--   Ledger side: the period's lines of account categories payroll_salary,
--     payroll_employer_pension and payroll_employer_ni, each line once, as the ledger stood
--     at $as_at (posted and delivered on or before it: ledger_at in _common.sql).  Allowances,
--     overtime and non-consolidated pay are left out: HR records do not hold them.  A period
--     still being posted (partial as at $as_at: ledger_periods.sql) shows a ledger side short
--     of the month; the pages open on the latest complete period.
--   headcount: the people behind the HR side (the population for disclosure control);
--   variance_gbp = ledger_paybill_gbp - hr_paybill_gbp (positive: the ledger paid more);
--   variance_pct = variance_gbp ÷ hr_paybill_gbp (null when the HR side is 0);
--   flagged: |variance_pct| > $tolerance, or ledger pay with no HR paybill behind it.
-- Each side is grouped by its own organisation_code and cluster; a group on one side only
-- still shows (the other side is 0).
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $period (VARCHAR: YYYY-MM), $as_at (DATE), $pension_rate (DOUBLE), $ni_rate (DOUBLE),
--   $tolerance (DOUBLE: a share, 0.02 = 2%),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code
-- Measures: headcount (people on the HR side), hr_salary_gbp, hr_pension_gbp, hr_ni_gbp,
--   hr_paybill_gbp, ledger_salary_gbp, ledger_pension_gbp, ledger_ni_gbp, ledger_paybill_gbp,
--   variance_gbp (£ in the month), variance_pct (share), flagged (boolean)
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
