-- Benefits NPV: net present value of the programme's benefits less its cost, from the
-- register as at a date (extracts.md §7), at a constant discount rate (the Green Book's 3.5%
-- real, queries/constants.py, holds for the first 30 years; the register's profiles are
-- shorter).
--   Each financial year's value is discounted to $base_year (year 0): year t = (first
--     calendar year of the financial year) - (that of $base_year); factor = (1 + r) ^ -t,
--     so years before the base year are carried forward at the same rate.
--   Benefits are cashable_saving + non_cashable_efficiency; cost is programme_cost.
--   planned_*: the whole approved profile (planned_gbp).
--   actual_*: realised to date: actual_gbp over the years and measures that have one (a
--     null actual counts as 0).
--   forecast_npv: the current estimate of the whole profile: actual_gbp where there is one,
--     planned_gbp otherwise.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $base_year (VARCHAR: YYYY-YY, e.g. 2021-22), $discount_rate
--   (DOUBLE: real, a year, 0.035 = 3.5%), $clusters (VARCHAR[]: the caller's scope; empty
--   means no rows)
-- Dimensions: cluster
-- Measures: planned_benefits_pv, planned_cost_pv, planned_npv, actual_benefits_pv,
--   actual_cost_pv, actual_npv, forecast_npv (£ at base-year values)
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
