-- The metric hr_finance_ratio: its definition (parameters, dimensions, columns) is hr_finance_ratio.toml.
WITH
people AS (
    SELECT * FROM workforce_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
),
counted AS (
    SELECT {{dims}}
        count(*) AS headcount,
        count(*) FILTER (WHERE profession = 'human_resources') AS hr_staff,
        count(*) FILTER (WHERE profession = 'finance') AS finance_staff
    FROM people
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT *,
           100.0 * hr_staff / headcount AS hr_per_100,
           100.0 * finance_staff / headcount AS finance_per_100,
           CAST($hr_target_per_100 AS DOUBLE) AS hr_target_per_100,
           CAST($hr_2023_per_100 AS DOUBLE) AS hr_2023_per_100,
           CAST($finance_2023_per_100 AS DOUBLE) AS finance_2023_per_100
    FROM counted
)
SELECT * FROM final
ORDER BY ALL
