-- The metric contingent: its definition (parameters, dimensions, columns) is contingent.toml.
WITH workers AS (
    SELECT * FROM contingent_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    count(*) AS workers,
    sum(fte) AS fte,
    sum(day_rate_gbp * fte * CAST($working_days AS INTEGER)) AS annualised_cost_gbp
FROM workers
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
