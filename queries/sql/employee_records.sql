-- Employee records: the people in post as at a date, one row per person (extracts.md §7,
-- one person one count): the record-level extract, open only to callers with record-level
-- rights, who bind as the scope only the clusters those rights cover (access.md).
-- Grain: one row per person in post; the dimensions only filter (records are not grouped).
-- Params: $as_at (DATE), $clusters (VARCHAR[]: the clusters whose records the caller may
--   download; empty means no rows)
-- Dimensions: cluster, department, organisation_code, grade
-- Measures: person_key, employee_id, cluster, extract_date (the snapshot used),
--   organisation_code, department, grade, profession, region, employment_type, fte,
--   annual_salary_gbp (£ a year, full-time equivalent), civil_service_start_date,
--   organisation_start_date, sex, ethnicity, disability, age_band
SELECT
    persons.person_key, people.employee_id, people.cluster, people.extract_date,
    people.organisation_code, people.department, CAST(people.grade AS VARCHAR) AS grade,
    CAST(people.profession AS VARCHAR) AS profession, CAST(people.region AS VARCHAR) AS region,
    CAST(people.employment_type AS VARCHAR) AS employment_type, people.fte,
    people.annual_salary_gbp, people.civil_service_start_date, people.organisation_start_date,
    CAST(people.sex AS VARCHAR) AS sex, CAST(people.ethnicity AS VARCHAR) AS ethnicity,
    CAST(people.disability AS VARCHAR) AS disability, CAST(people.age_band AS VARCHAR) AS age_band
FROM workforce_at($as_at) AS people
JOIN persons USING (person_id)
WHERE list_contains($clusters, people.cluster) {{filters}}
ORDER BY people.cluster, people.organisation_code, people.employee_id
