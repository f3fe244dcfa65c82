-- The metric employee_records: its definition (parameters, dimensions, columns) is employee_records.toml.
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
