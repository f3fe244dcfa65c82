-- Benefits: the programme's benefits and cost profile as at a date (extracts.md §7): planned
-- (the approved business-case profile), realised so far and civil-servant hours released.
-- Benefits and programme cost are never added together: a request groups by measure, or
-- filters it to the benefit measures or to programme_cost alone (queries/runner.py refuses
-- anything else).
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, financial_year, measure
-- Measures: planned_gbp, actual_gbp (£; nulls count as 0), hours_released (hours)
WITH profile AS (
    SELECT * FROM benefits_as_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    sum(coalesce(planned_gbp, 0)) AS planned_gbp,
    sum(coalesce(actual_gbp, 0)) AS actual_gbp,
    sum(coalesce(hours_released, 0)) AS hours_released
FROM profile
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
