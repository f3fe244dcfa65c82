-- The metric flows: its definition (parameters, dimensions, columns) is flows.toml.
WITH
at_start AS (
    SELECT person_id, cluster, department, organisation_code
    FROM people_at($date_from)
),
at_end AS (
    SELECT person_id, cluster, department, organisation_code
    FROM people_at($date_to)
),
start_groups AS (
    SELECT *, {{group_key}} AS group_key,
           list_contains($clusters, cluster) {{filters}} AS in_group
    FROM at_start
),
end_groups AS (
    SELECT *, {{group_key}} AS group_key,
           list_contains($clusters, cluster) {{filters}} AS in_group
    FROM at_end
),
start_side AS (
    SELECT s.* EXCLUDE (person_id, group_key, in_group),
           1 AS headcount_start,
           0 AS headcount_end,
           0 AS joiners,
           CAST(e.person_id IS NULL AS INTEGER) AS leavers,
           0 AS transfers_in,
           CAST(e.person_id IS NOT NULL AND (NOT e.in_group OR e.group_key <> s.group_key)
                AS INTEGER) AS transfers_out
    FROM start_groups AS s LEFT JOIN end_groups AS e USING (person_id)
    WHERE s.in_group
),
end_side AS (
    SELECT e.* EXCLUDE (person_id, group_key, in_group),
           0 AS headcount_start,
           1 AS headcount_end,
           CAST(s.person_id IS NULL AS INTEGER) AS joiners,
           0 AS leavers,
           CAST(s.person_id IS NOT NULL AND (NOT s.in_group OR s.group_key <> e.group_key)
                AS INTEGER) AS transfers_in,
           0 AS transfers_out
    FROM end_groups AS e LEFT JOIN start_groups AS s USING (person_id)
    WHERE e.in_group
),
both_sides AS (
    SELECT * FROM start_side UNION ALL BY NAME SELECT * FROM end_side
)
SELECT {{dims}}
    CAST(sum(headcount_start) AS BIGINT) AS headcount_start,
    CAST(sum(joiners) AS BIGINT) AS joiners,
    CAST(sum(leavers) AS BIGINT) AS leavers,
    CAST(sum(transfers_in) AS BIGINT) AS transfers_in,
    CAST(sum(transfers_out) AS BIGINT) AS transfers_out,
    CAST(sum(headcount_end) AS BIGINT) AS headcount_end
FROM both_sides
GROUP BY ALL
HAVING count(*) > 0
ORDER BY ALL
