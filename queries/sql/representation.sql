-- Representation: women and ethnic minorities in the workforce as at a date (extracts.md §7,
-- one person one count), as Civil Service Statistics reports them: each share is of those
-- whose answer is known.
--   women_share = women ÷ sex_recorded (people whose sex is recorded);
--   ethnic_minority_share = ethnic_minority ÷ ethnicity_known (people recorded as white or
--     ethnic_minority; not_declared and unknown are left out).
-- A share is null when nobody in the group has the answer recorded.  Disclosure control is
-- the caller's (queries/catalogue.py).
-- Grain: one row per group of the requested dimensions; without dimensions, one row of totals.
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the caller's scope; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade
-- Measures: headcount, women, sex_recorded, ethnic_minority, ethnicity_known (people),
--   women_share, ethnic_minority_share (shares, 0 to 1)
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
