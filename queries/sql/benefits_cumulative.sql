-- Benefits cumulative: the programme's planned and realised benefits and costs, year by year
-- and cumulated over financial years in order, from the register as at a date (extracts.md
-- §7).  planned_gbp and actual_gbp sum the group's rows of the year; actual_gbp is null for a
-- year with no realised value yet (not 0, so the line stops where the actuals do).
-- cumulative_*: the running sum over the group's financial years up to and including the
-- row's (actuals counting null as 0), cumulative_actual_gbp null where actual_gbp is.
-- Benefits and programme cost are never added together: a request groups by measure, or
-- filters it to the benefit measures or to programme_cost alone (queries/runner.py refuses
-- anything else).
-- Grain: one row per financial year and group of the requested dimensions.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, measure
-- Measures: financial_year (YYYY-YY), planned_gbp, actual_gbp, cumulative_planned_gbp,
--   cumulative_actual_gbp (£)
WITH
profile AS (
    SELECT * FROM benefits_as_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
),
yearly AS (
    SELECT {{dims}}
        {{group_key}} AS group_key,
        financial_year,
        sum(planned_gbp) AS planned_gbp,
        sum(actual_gbp) AS actual_gbp
    FROM profile
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT * EXCLUDE (group_key),
           sum(planned_gbp) OVER running AS cumulative_planned_gbp,
           CASE WHEN actual_gbp IS NOT NULL
                THEN sum(coalesce(actual_gbp, 0)) OVER running END AS cumulative_actual_gbp
    FROM yearly
    WINDOW running AS (PARTITION BY group_key ORDER BY financial_year)
)
SELECT * FROM final
ORDER BY ALL
