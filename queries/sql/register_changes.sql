-- The metric register_changes: its definition (parameters, dimensions, columns) is register_changes.toml.
WITH
versions AS (
    SELECT max(extract_date) FILTER (WHERE extract_date <= $date_from) AS earlier_version,
           max(extract_date) FILTER (WHERE extract_date <= $date_to) AS later_version
    FROM snapshots
    WHERE feed = 'PROGRAMME'
),
in_scope AS (
    SELECT m.* FROM milestone_snapshots AS m
    WHERE list_contains($clusters, m.cluster)
       OR (m.cluster = 'ALL' AND len(list_distinct($clusters)) = 5)
),
a AS (SELECT m.* FROM in_scope AS m, versions AS v WHERE m.extract_date = v.earlier_version),
b AS (SELECT m.* FROM in_scope AS m, versions AS v WHERE m.extract_date = v.later_version),
pairs AS (
    SELECT milestone_id AS item,
           coalesce(b.cluster, a.cluster) AS cluster,
           coalesce(b.title, a.title) AS title,
           a.milestone_id IS NOT NULL AS was, b.milestone_id IS NOT NULL AS is_now,
           a.forecast_date AS a_forecast, b.forecast_date AS b_forecast,
           a.actual_date AS a_actual, b.actual_date AS b_actual,
           a.dca_rating AS a_rating, b.dca_rating AS b_rating
    FROM a FULL JOIN b USING (milestone_id)
),
milestone_changes AS (
    SELECT 'milestone' AS kind, item, cluster, title, 'added' AS change, NULL AS field,
           NULL AS old_value, NULL AS new_value, NULL::DOUBLE AS difference
    FROM pairs WHERE is_now AND NOT was
    UNION ALL
    SELECT 'milestone', item, cluster, title, 'removed', NULL, NULL, NULL, NULL
    FROM pairs WHERE was AND NOT is_now
    UNION ALL
    SELECT 'milestone', item, cluster, title, 'achieved', 'actual_date',
           CAST(a_forecast AS VARCHAR), CAST(b_actual AS VARCHAR),
           date_diff('day', a_forecast, b_actual)
    FROM pairs WHERE was AND is_now AND a_actual IS NULL AND b_actual IS NOT NULL
    UNION ALL
    SELECT 'milestone', item, cluster, title,
           CASE WHEN b_forecast > a_forecast THEN 'slipped' ELSE 'brought_forward' END,
           'forecast_date', CAST(a_forecast AS VARCHAR), CAST(b_forecast AS VARCHAR),
           date_diff('day', a_forecast, b_forecast)
    FROM pairs
    WHERE was AND is_now AND a_actual IS NULL AND b_actual IS NULL
      AND a_forecast IS DISTINCT FROM b_forecast
      AND a_forecast IS NOT NULL AND b_forecast IS NOT NULL
    UNION ALL
    SELECT 'milestone', item, cluster, title, 're_rated', 'dca_rating', a_rating, b_rating, NULL
    FROM pairs WHERE was AND is_now AND a_rating IS DISTINCT FROM b_rating
),
ba AS (
    SELECT s.* FROM benefit_snapshots AS s, versions AS v
    WHERE s.extract_date = v.earlier_version AND list_contains($clusters, s.cluster)
),
bb AS (
    SELECT s.* FROM benefit_snapshots AS s, versions AS v
    WHERE s.extract_date = v.later_version AND list_contains($clusters, s.cluster)
),
benefit_pairs AS (
    SELECT cluster || ' ' || financial_year || ' ' || measure AS item, cluster,
           ba.cluster IS NOT NULL AS was, bb.cluster IS NOT NULL AS is_now,
           [ba.planned_gbp, ba.actual_gbp, ba.hours_released] AS old_values,
           [bb.planned_gbp, bb.actual_gbp, bb.hours_released] AS new_values
    FROM ba FULL JOIN bb USING (cluster, financial_year, measure)
),
benefit_fields AS (
    SELECT item, cluster, was, is_now, field,
           old_values[i] AS old_amount, new_values[i] AS new_amount
    FROM benefit_pairs,
         (VALUES (1, 'planned_gbp'), (2, 'actual_gbp'), (3, 'hours_released')) AS f (i, field)
),
benefit_changes AS (
    SELECT 'benefit' AS kind, item, cluster, NULL AS title, 'added' AS change, NULL AS field,
           NULL AS old_value, NULL AS new_value, NULL::DOUBLE AS difference
    FROM benefit_pairs WHERE is_now AND NOT was
    UNION ALL
    SELECT 'benefit', item, cluster, NULL, 'removed', NULL, NULL, NULL, NULL
    FROM benefit_pairs WHERE was AND NOT is_now
    UNION ALL
    SELECT 'benefit', item, cluster, NULL, 'moved', field,
           CAST(old_amount AS VARCHAR), CAST(new_amount AS VARCHAR),
           coalesce(new_amount, 0) - coalesce(old_amount, 0)
    FROM benefit_fields
    WHERE was AND is_now AND old_amount IS DISTINCT FROM new_amount
),
changes AS (
    SELECT c.*, v.earlier_version, v.later_version
    FROM (SELECT * FROM milestone_changes UNION ALL SELECT * FROM benefit_changes) AS c, versions AS v
    WHERE v.later_version IS NOT NULL
      AND v.earlier_version IS DISTINCT FROM v.later_version
),
scoped AS (SELECT * FROM changes WHERE true {{filters}})
SELECT {{dims}}
    kind, item, title, change, field, old_value, new_value, difference,
    earlier_version, later_version
FROM scoped
ORDER BY kind DESC, item, change, field
