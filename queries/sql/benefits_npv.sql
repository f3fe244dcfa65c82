-- The metric benefits_npv: its definition (parameters, dimensions, columns) is benefits_npv.toml.
WITH
profile AS (
    SELECT * FROM benefits_as_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
),
valued AS (
    SELECT *,
           power(
               1 + $discount_rate,
               -(CAST(left(financial_year, 4) AS INTEGER) - CAST(left($base_year, 4) AS INTEGER))
           ) AS discount_factor,
           CASE WHEN measure IN ('cashable_saving', 'non_cashable_efficiency') THEN 1
                WHEN measure = 'programme_cost' THEN -1
                ELSE 0 END AS sign
    FROM profile
),
sums AS (
    SELECT {{dims}}
        sum(planned_gbp * discount_factor) FILTER (WHERE sign = 1) AS planned_benefits_pv,
        sum(planned_gbp * discount_factor) FILTER (WHERE sign = -1) AS planned_cost_pv,
        sum(coalesce(actual_gbp, 0) * discount_factor) FILTER (WHERE sign = 1)
            AS actual_benefits_pv,
        sum(coalesce(actual_gbp, 0) * discount_factor) FILTER (WHERE sign = -1)
            AS actual_cost_pv,
        sum(sign * coalesce(actual_gbp, planned_gbp) * discount_factor) AS forecast_npv
    FROM valued
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT * EXCLUDE (planned_benefits_pv, planned_cost_pv, actual_benefits_pv, actual_cost_pv),
           coalesce(planned_benefits_pv, 0) AS planned_benefits_pv,
           coalesce(planned_cost_pv, 0) AS planned_cost_pv,
           coalesce(planned_benefits_pv, 0) - coalesce(planned_cost_pv, 0) AS planned_npv,
           coalesce(actual_benefits_pv, 0) AS actual_benefits_pv,
           coalesce(actual_cost_pv, 0) AS actual_cost_pv,
           coalesce(actual_benefits_pv, 0) - coalesce(actual_cost_pv, 0) AS actual_npv
    FROM sums
)
SELECT * FROM final
ORDER BY ALL
