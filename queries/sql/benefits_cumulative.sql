-- The metric benefits_cumulative: its definition (parameters, dimensions, columns) is benefits_cumulative.toml.
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
