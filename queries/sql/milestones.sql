-- Milestones: the programme register as at a date, counted (extracts.md §7).
-- A milestone is achieved when its actual date is on or before $as_at; overdue when not
-- achieved and its forecast date (else its baseline) is before $as_at; slipped when its actual
-- date (else its forecast) is after its baseline.  mean_slip_days is the mean of (actual, else
-- forecast) minus baseline, in days, over milestones that have either.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; strategy-wide milestones
--   (cluster ALL) are in every scope that holds all five clusters)
-- Dimensions: cluster, stage, dca_rating
-- Measures: milestones, achieved, overdue, slipped (counts), mean_slip_days (days)
WITH register AS (
    SELECT *,
           actual_date IS NOT NULL AND actual_date <= $as_at AS is_achieved,
           coalesce(actual_date, forecast_date) AS outturn_date
    FROM milestones_as_at($as_at)
    WHERE list_contains($clusters, cluster)
       OR (cluster = 'ALL' AND len(list_distinct($clusters)) = 5)
),
scoped AS (SELECT * FROM register WHERE true {{filters}})
SELECT {{dims}}
    count(*) AS milestones,
    count(*) FILTER (WHERE is_achieved) AS achieved,
    count(*) FILTER (WHERE NOT is_achieved AND coalesce(forecast_date, baseline_date) < $as_at)
        AS overdue,
    count(*) FILTER (WHERE outturn_date > baseline_date) AS slipped,
    avg(date_diff('day', baseline_date, outturn_date)) AS mean_slip_days
FROM scoped
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
