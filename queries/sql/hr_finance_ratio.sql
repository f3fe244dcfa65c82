-- HR and finance ratios: staff of the human_resources and finance professions per 100
-- employees as at a date (extracts.md §7, one person one count), beside the benchmarks of
-- shared/reference/domain.md §6: the civil service's target of 1 HR per 100 staff (set for
-- 2013; also the generic rule of thumb) and the civil service in 2023, 1 per 40 for both the
-- HR profession and the finance function (2.5 per 100).  A person of unknown profession
-- counts in headcount only.
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code
-- Measures: headcount, hr_staff, finance_staff (people), hr_per_100, finance_per_100
--   (people per 100 employees), hr_target_per_100, hr_2023_per_100, finance_2023_per_100
--   (benchmarks, people per 100 employees)
WITH
people AS (
    SELECT * FROM workforce_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
),
counted AS (
    SELECT {{dims}}
        count(*) AS headcount,
        count(*) FILTER (WHERE profession = 'human_resources') AS hr_staff,
        count(*) FILTER (WHERE profession = 'finance') AS finance_staff
    FROM people
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT *,
           100.0 * hr_staff / headcount AS hr_per_100,
           100.0 * finance_staff / headcount AS finance_per_100,
           CAST(1.0 AS DOUBLE) AS hr_target_per_100,
           CAST(2.5 AS DOUBLE) AS hr_2023_per_100,
           CAST(2.5 AS DOUBLE) AS finance_2023_per_100
    FROM counted
)
SELECT * FROM final
ORDER BY ALL
