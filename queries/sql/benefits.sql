-- The metric benefits: its definition (parameters, dimensions, columns) is benefits.toml.
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
