-- The metric milestones: its definition (parameters, dimensions, columns) is milestones.toml.
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
