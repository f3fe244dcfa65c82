-- Spend as at a date: general-ledger amounts over accounting periods as the ledger stood at
--   the end of the date.  The spend metric (spend.sql), but only the lines posted on or before
--   $as_at, from deliveries extracted on or before it, count (ledger_at in _common.sql): a date
--   in the middle of a month shows that month's lines posted so far, never later ones.  Each (journal_id, line_number) once.  Whether a period
--   is complete or partial as at the date: ledger_periods.sql.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $period_from (VARCHAR: YYYY-MM), $period_to (VARCHAR: YYYY-MM), $as_at (DATE),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, account_category, period
-- Measures: amount_gbp (£, signed: credits and reversals are negative)
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
