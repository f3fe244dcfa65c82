-- The metric spans_layers: its definition (parameters, dimensions, columns) is spans_layers.toml.
WITH RECURSIVE
managers_at AS (
    SELECT CAST(cluster AS VARCHAR) AS cluster, employee_id, manager_employee_id
    FROM employees_as_at($as_at)
),
people AS MATERIALIZED (
    SELECT w.cluster, w.department, w.organisation_code, w.employee_id, m.manager_employee_id,
           {{group_key}} AS group_key,
           list_contains($clusters, w.cluster) {{filters}} AS in_group
    FROM workforce_at($as_at) AS w
    JOIN managers_at AS m USING (cluster, employee_id)
),
spans AS (
    SELECT m.cluster, m.employee_id, count(*) AS span
    FROM people AS r
    JOIN people AS m ON m.cluster = r.cluster AND m.employee_id = r.manager_employee_id
    WHERE r.employee_id <> m.employee_id
    GROUP BY ALL
),
tops AS (
    SELECT p.cluster, p.employee_id, p.group_key, 1 AS layer
    FROM people AS p
    LEFT JOIN people AS m
        ON m.cluster = p.cluster AND m.employee_id = p.manager_employee_id
        AND m.in_group AND m.group_key = p.group_key
    WHERE p.in_group AND m.employee_id IS NULL
),
chains AS (
    SELECT * FROM tops
    UNION ALL
    SELECT r.cluster, r.employee_id, r.group_key, c.layer + 1 AS layer
    FROM chains AS c
    JOIN people AS r
        ON r.cluster = c.cluster AND r.manager_employee_id = c.employee_id
        AND r.in_group AND r.group_key = c.group_key AND r.employee_id <> c.employee_id
),
staff AS (
    SELECT p.*, coalesce(s.span, 0) AS span, c.layer
    FROM people AS p
    LEFT JOIN spans AS s USING (cluster, employee_id)
    LEFT JOIN chains AS c USING (cluster, employee_id)
    WHERE p.in_group
)
SELECT {{dims}}
    count(*) AS headcount,
    count(*) FILTER (WHERE span > 0) AS managers,
    avg(span) FILTER (WHERE span > 0) AS mean_span,
    median(span) FILTER (WHERE span > 0) AS median_span,
    avg(CAST(span < 3 AS DOUBLE)) FILTER (WHERE span > 0) AS share_small_spans,
    max(layer) AS layers
FROM staff
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
