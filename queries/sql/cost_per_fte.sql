-- The metric cost_per_fte: its definition (parameters, dimensions, columns) is cost_per_fte.toml.
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
