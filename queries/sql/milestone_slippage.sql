-- Milestone slippage: how each milestone's dates moved across the programme register's
-- deliveries, up to a date.  Every loaded PROGRAMME delivery with extract_date <= $as_at is
-- one reading of the register; a milestone appears in each delivery that holds it.
--   slip_days: (actual date, else forecast date) minus that delivery's baseline date, in days
--     (positive: later than baseline; null when the milestone has neither);
--   slip_change_days: slip_days minus its value in the previous delivery that held the
--     milestone (null in the first).
-- Strategy-wide milestones (cluster ALL) are in a scope only when it holds all five clusters,
-- as in milestones.sql.
-- Grain: one row per (milestone_id, extract_date).
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, stage
-- Measures: milestone_id, extract_date (the register delivery), title, baseline_date,
--   forecast_date, actual_date (dates), slip_days, slip_change_days (days)
WITH
register AS (
    SELECT *,
           date_diff('day', baseline_date, coalesce(actual_date, forecast_date)) AS slip_days
    FROM milestone_snapshots
    WHERE extract_date <= $as_at
      AND (list_contains($clusters, cluster)
           OR (cluster = 'ALL' AND len(list_distinct($clusters)) = 5))
),
moves AS (
    SELECT *,
           slip_days - lag(slip_days) OVER (PARTITION BY milestone_id ORDER BY extract_date)
               AS slip_change_days
    FROM register
),
scoped AS (SELECT * FROM moves WHERE true {{filters}})
SELECT {{dims}}
    milestone_id,
    extract_date,
    title,
    baseline_date,
    forecast_date,
    actual_date,
    slip_days,
    slip_change_days
FROM scoped
ORDER BY milestone_id, extract_date
