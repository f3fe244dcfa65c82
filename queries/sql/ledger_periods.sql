-- The metric ledger_periods: its definition (parameters, dimensions, columns) is ledger_periods.toml.
WITH
periods AS (
    SELECT strftime(m, '%Y-%m') AS period
    FROM range(
        CAST(CAST($period_from || '-01' AS DATE) AS TIMESTAMP),
        CAST(CAST($period_to || '-01' AS DATE) AS TIMESTAMP) + INTERVAL 1 DAY,
        INTERVAL 1 MONTH
    ) AS t(m)
),
feeds AS (
    SELECT * FROM ledger_complete_through($as_at) WHERE list_contains($clusters, cluster)
),
posted AS (
    SELECT cluster, period, max(posting_date) AS last_posting_date
    FROM ledger_at($as_at)
    WHERE period BETWEEN $period_from AND $period_to AND list_contains($clusters, cluster)
    GROUP BY ALL
),
grid AS (
    SELECT f.cluster, p.period, f.delivered_to, p.period <= f.complete_through AS complete,
           q.last_posting_date
    FROM feeds AS f
    CROSS JOIN periods AS p
    LEFT JOIN posted AS q ON q.cluster = f.cluster AND q.period = p.period
)
SELECT {{dims}}
    count(*) AS clusters,
    bool_and(complete) AS complete,
    min(delivered_to) AS delivered_to,
    max(last_posting_date) AS last_posting_date
FROM grid
WHERE true {{filters}}
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
