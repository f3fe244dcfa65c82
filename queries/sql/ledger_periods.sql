-- Ledger periods: which accounting periods of the clusters' ledgers are complete as at a date.
--   A cluster's accounting period P is complete as at D when the cluster has a ledger delivery
--     (an extract) dated on or after P's last day and on or before D.  The ledger is
--     incremental: each nightly delivery carries the lines posted that day, so once a delivery
--     of P's last day or later has arrived, every line posted in P has (lines posted to P later
--     still, such as arrears, count as they arrive).  A period that is not complete is
--     partial: its lines so far are only part of the month, and rates, averages and changes
--     leave it out.
--   Clusters in scope with no delivery on or before D have no ledger yet and are left out.
--   clusters: the clusters of the group with a delivery on or before D;
--   complete: P is complete for every one of them;
--   delivered_to: the earliest of their latest deliveries on or before D (every line posted
--     up to the end of that day is in);
--   last_posting_date: the latest posting date of the group's lines of P as at D (null: none).
-- Grain: one row per group of the requested dimensions; without dimensions, one row for all.
-- Params: $period_from (VARCHAR: YYYY-MM), $period_to (VARCHAR: YYYY-MM), $as_at (DATE),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, period
-- Measures: clusters (count), complete (boolean), delivered_to (date),
--   last_posting_date (date)
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
