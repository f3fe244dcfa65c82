-- The metric milestone_slippage: its definition (parameters, dimensions, columns) is milestone_slippage.toml.
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
