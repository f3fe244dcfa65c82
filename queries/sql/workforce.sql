-- The metric workforce: its definition (parameters, dimensions, columns) is workforce.toml.
WITH people AS (
    SELECT * FROM workforce_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
)
SELECT {{dims}}
    count(*) AS headcount,
    sum(fte) AS fte,
    sum(annual_salary_gbp * fte) AS paybill_gbp
FROM people
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
