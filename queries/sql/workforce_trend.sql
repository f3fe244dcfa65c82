-- The metric workforce_trend: its definition (parameters, dimensions, columns) is workforce_trend.toml.
SELECT {{dims}}
    month_end,
    CAST(sum(headcount) AS BIGINT) AS headcount,
    sum(fte) AS fte,
    sum(paybill_gbp) AS paybill_gbp
FROM month_end_rows($date_from, $date_to)
WHERE list_contains($clusters, cluster) {{filters}}
GROUP BY ALL
HAVING sum(headcount) > 0
ORDER BY ALL
