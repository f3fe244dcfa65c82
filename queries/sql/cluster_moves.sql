-- The metric cluster_moves: its definition (parameters, dimensions, columns) is cluster_moves.toml.
WITH
at_start AS (
    SELECT person_id, cluster FROM people_at($date_from)
),
at_end AS (
    SELECT person_id, cluster FROM people_at($date_to)
)
SELECT s.cluster AS from_cluster,
       e.cluster AS to_cluster,
       CAST(count(*) AS BIGINT) AS moves
FROM at_start AS s
JOIN at_end AS e USING (person_id)
WHERE s.cluster <> e.cluster
  AND list_contains($clusters, s.cluster)
  AND list_contains($clusters, e.cluster)
GROUP BY ALL
HAVING count(*) > 0
ORDER BY moves DESC, from_cluster DESC, to_cluster
