-- Spans and layers: the shape of line management as at a date, from manager_employee_id.
-- The people are the as-at workforce (extracts.md §7, one person one count), each with the
-- manager_employee_id of the snapshot they are counted from; a manager id is an employee_id
-- of the same cluster's snapshot.
--   managers: people with at least one direct report (self-reports ignored);
--   a manager's span: their direct reports, in whichever organisation those sit;
--   mean_span, median_span: over the group's managers (null without managers);
--   share_small_spans: managers with fewer than 3 direct reports ÷ managers;
--   layers: the depth of the deepest chain of the group's own hierarchy.  A person with no
--     manager, or whose manager is outside the group or not in the as-at workforce, is a top,
--     at layer 1; each report is one layer below their manager, within the group.  So an
--     organisation counts its own layers, and a cluster its layers from the top of each of its
--     hierarchies.  People in a management cycle (never reached from a top) have no layer.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code
-- Measures: headcount, managers (people), mean_span, median_span (direct reports a manager),
--   share_small_spans (share, 0 to 1), layers (count)
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
