-- The metric spend_as_at: its definition (parameters, dimensions, columns) is spend_as_at.toml.
WITH lines AS (
    SELECT * FROM ledger_at($as_at)
    WHERE period BETWEEN $period_from AND $period_to AND list_contains($clusters, cluster)
)
SELECT {{dims}}
    sum(amount_gbp) AS amount_gbp
FROM lines
WHERE true {{filters}}
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
