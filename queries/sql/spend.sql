-- The metric spend: its definition (parameters, dimensions, columns) is spend.toml.
WITH lines AS (
    SELECT * FROM ledger_named()
    WHERE period BETWEEN $period_from AND $period_to AND list_contains($clusters, cluster)
)
SELECT {{dims}}
    sum(amount_gbp) AS amount_gbp
FROM lines
WHERE true {{filters}}
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
