-- Cost per FTE: the fully loaded cost of the people an organisation employs or engages, per
-- payroll full-time equivalent, over the complete accounting periods of a range.
--   periods: the periods from $period_from to $period_to that are complete as at $as_at for
--     every cluster in scope (ledger_complete_through in _common.sql: the cluster has a
--     delivery dated on or after the period's last day, on or before $as_at) and whose
--     month-end the warehouse covers.  A partial period (the month being posted) is left out,
--     so it never reads as a fall in cost.
--   cost_gbp = payroll_gbp + contingent_gbp, where payroll_gbp is the periods' ledger lines
--     of every payroll_* account category (salary, allowances, overtime, non-consolidated,
--     employer pension and NI) and contingent_gbp those of contingent_labour; each line once,
--     as the ledger stood at $as_at (posted and delivered on or before it).
--   average_fte: payroll FTE (employees only) at the month-end of each period, as an as-at
--     view (extracts.md §7; read from the month-end mart, queries/sql/_month_end_groups.sql),
--     summed and divided by months, the number of periods.  Contingent workers' FTE is left
--     out of the denominator on purpose: work moved off-payroll then shows as a higher cost
--     per payroll FTE.
--   cost_per_fte_gbp = cost_gbp ÷ average_fte over the whole range (null when no FTE);
--   annual_cost_per_fte_gbp = cost_per_fte_gbp × 12 ÷ months.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $period_from (VARCHAR: YYYY-MM), $period_to (VARCHAR: YYYY-MM), $as_at (DATE),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code
-- Measures: payroll_gbp, contingent_gbp, cost_gbp (£ over the periods), months (count),
--   average_fte (full-time equivalents), cost_per_fte_gbp (£ per FTE over the periods),
--   annual_cost_per_fte_gbp (£ per FTE a year)
WITH
complete AS (
    SELECT min(complete_through) AS through
    FROM ledger_complete_through($as_at)
    WHERE list_contains($clusters, cluster)
),
periods AS (
    SELECT month_end, strftime(month_end, '%Y-%m') AS period
    FROM month_ends(
        CAST($period_from || '-01' AS DATE), last_day(CAST($period_to || '-01' AS DATE))
    )
    WHERE is_covered AND strftime(month_end, '%Y-%m') <= (SELECT through FROM complete)
),
staff AS (
    SELECT cluster, department, organisation_code, fte,
           0.0 AS payroll_gbp,
           0.0 AS contingent_gbp
    FROM month_end_rows(
        CAST($period_from || '-01' AS DATE), last_day(CAST($period_to || '-01' AS DATE))
    )
    WHERE month_end IN (SELECT month_end FROM periods)
),
spend AS (
    SELECT cluster, department, organisation_code,
           0.0 AS fte,
           CASE WHEN starts_with(account_category, 'payroll_')
                THEN CAST(amount_gbp AS DOUBLE) ELSE 0.0 END AS payroll_gbp,
           CASE WHEN account_category = 'contingent_labour'
                THEN CAST(amount_gbp AS DOUBLE) ELSE 0.0 END AS contingent_gbp
    FROM ledger_at($as_at)
    WHERE period IN (SELECT period FROM periods)
      AND (starts_with(account_category, 'payroll_') OR account_category = 'contingent_labour')
),
both_sides AS (
    SELECT * FROM staff
    UNION ALL BY NAME
    SELECT * FROM spend
),
scoped AS (
    SELECT * FROM both_sides
    WHERE list_contains($clusters, cluster) {{filters}}
),
sums AS (
    SELECT {{dims}}
        sum(payroll_gbp) AS payroll_gbp,
        sum(contingent_gbp) AS contingent_gbp,
        sum(fte) AS fte_month_ends
    FROM scoped
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT s.* EXCLUDE (fte_month_ends),
           s.payroll_gbp + s.contingent_gbp AS cost_gbp,
           p.months,
           s.fte_month_ends / nullif(p.months, 0) AS average_fte,
           (s.payroll_gbp + s.contingent_gbp)
               / nullif(s.fte_month_ends / nullif(p.months, 0), 0) AS cost_per_fte_gbp,
           (s.payroll_gbp + s.contingent_gbp)
               / nullif(s.fte_month_ends / nullif(p.months, 0), 0) * 12
               / nullif(p.months, 0) AS annual_cost_per_fte_gbp
    FROM sums AS s
    CROSS JOIN (SELECT count(*) AS months FROM periods) AS p
)
SELECT * FROM final
ORDER BY ALL
