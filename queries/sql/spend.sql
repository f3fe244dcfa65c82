-- Spend: general-ledger amounts over accounting periods, each (journal_id, line_number) once.
--   Every line loaded counts (the CLI contract's spend).  The pages read spend_as_at.sql, the
--   same sums as the ledger stood at a date, and ledger_periods.sql, which periods are complete.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $period_from (VARCHAR: YYYY-MM), $period_to (VARCHAR: YYYY-MM),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, account_category, period
-- Measures: amount_gbp (£, signed: credits and reversals are negative)
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
