-- The metric representation: its definition (parameters, dimensions, columns) is representation.toml.
WITH
people AS (
    SELECT * FROM workforce_at($as_at)
    WHERE list_contains($clusters, cluster) {{filters}}
),
counted AS (
    SELECT {{dims}}
        count(*) AS headcount,
        count(*) FILTER (WHERE sex = 'female') AS women,
        count(sex) AS sex_recorded,
        count(*) FILTER (WHERE ethnicity = 'ethnic_minority') AS ethnic_minority,
        count(*) FILTER (WHERE ethnicity IN ('white', 'ethnic_minority')) AS ethnicity_known
    FROM people
    GROUP BY ALL
    HAVING count(*) > 0
),
final AS (
    SELECT *,
           women / nullif(sex_recorded, 0) AS women_share,
           ethnic_minority / nullif(ethnicity_known, 0) AS ethnic_minority_share
    FROM counted
)
SELECT * FROM final
ORDER BY ALL
