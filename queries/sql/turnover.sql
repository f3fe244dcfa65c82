-- The metric turnover: its definition (parameters, dimensions, columns) is turnover.toml.
WITH
year_points AS (
    SELECT month_end
    FROM month_ends(
        month_end_on_or_before($as_at) - INTERVAL 12 MONTH, month_end_on_or_before($as_at)
    )
    WHERE is_covered
),
scoped AS (
    SELECT * FROM month_end_rows(
        month_end_on_or_before($as_at) - INTERVAL 12 MONTH, month_end_on_or_before($as_at)
    )
    WHERE list_contains($clusters, cluster) {{filters}}
),
counted AS (
    SELECT {{dims}}
        CAST(coalesce(sum(leavers) FILTER (
            WHERE month_end < month_end_on_or_before($as_at)
        ), 0) AS BIGINT) AS leavers,
        sum(headcount) AS person_month_ends
    FROM scoped
    GROUP BY ALL
    HAVING sum(headcount) > 0
),
final AS (
    SELECT c.* EXCLUDE (person_month_ends),
           month_end_on_or_before($as_at) AS period_end,
           y.months AS month_ends_covered,
           c.person_month_ends / y.months AS average_headcount,
           CASE WHEN y.months > 1
                THEN c.leavers / (c.person_month_ends / y.months) END AS turnover_rate
    FROM counted AS c
    CROSS JOIN (SELECT count(*) AS months FROM year_points) AS y
)
SELECT * FROM final
ORDER BY ALL
