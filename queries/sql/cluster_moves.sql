-- Cluster moves: people in one cluster at A and in another cluster at B, counted by origin and
-- destination (extracts.md §7: each date as at, one person one count, via people_at).  A move
-- counts only when both its ends are in the caller's scope, so a scoped caller learns nothing
-- about clusters outside it; joiners, leavers and moves within a cluster are not moves here.
-- Grain: one row per (from_cluster, to_cluster) pair with at least one move; most moves first,
--   ties by origin in reverse order of its code, then by destination.
-- Params: $date_from (DATE: A), $date_to (DATE: B),
--   $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions:
-- Measures: from_cluster, to_cluster, moves (people)
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
