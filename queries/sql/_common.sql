-- Shared building blocks of the metric queries: the as-at views every metric starts from.
-- Created as TEMP macros on each cursor before a metric runs (the warehouse is opened
-- read-only; temporary objects live in the cursor's own memory).
-- Grain and columns are stated per macro.  No parameters of their own: callers pass them.

-- org_dim: one row per organisation of the register, with its department and cluster.
CREATE OR REPLACE TEMP MACRO org_dim() AS TABLE
    SELECT organisation_code, organisation_name, parent_department_code AS department,
           cluster AS org_cluster
    FROM organisations;

-- workforce_at(as_at): the workforce as at a date, one person one count (extracts.md §7).
-- A person_key in several clusters' snapshots counts once: in the organisation with the later
-- organisation_start_date; ties go to the later snapshot, then the cluster code sorting first.
-- Grain: one row per person_key.  Columns: the employees.parquet columns, cluster,
-- extract_date (the snapshot used) and department.
CREATE OR REPLACE TEMP MACRO workforce_at(as_at) AS TABLE
    SELECT e.* EXCLUDE (cluster), CAST(e.cluster AS VARCHAR) AS cluster, o.department
    FROM employees_as_at(as_at) AS e
    LEFT JOIN org_dim() AS o USING (organisation_code)
    QUALIFY row_number() OVER (
        PARTITION BY e.person_key
        ORDER BY e.organisation_start_date DESC, e.extract_date DESC, CAST(e.cluster AS VARCHAR)
    ) = 1;

-- contingent_at(as_at): contingent workers as at a date.  Grain: one row per (cluster,
-- worker_id).  Columns: the contingent_labour.parquet columns, cluster, extract_date,
-- department.
CREATE OR REPLACE TEMP MACRO contingent_at(as_at) AS TABLE
    SELECT c.* EXCLUDE (cluster), CAST(c.cluster AS VARCHAR) AS cluster, o.department
    FROM contingent_as_at(as_at) AS c
    LEFT JOIN org_dim() AS o USING (organisation_code);

-- feed_status(as_at): for each cluster, the snapshot an as-at query uses and whether it is
-- current (the latest date any cluster has on or before as_at), stale (older) or absent.
-- Grain: one row per cluster code.
CREATE OR REPLACE TEMP MACRO feed_status(as_at) AS TABLE
    WITH used AS (
        SELECT CAST(feed AS VARCHAR) AS cluster, extract_date
        FROM snapshots_as_at(as_at) WHERE CAST(feed AS VARCHAR) <> 'PROGRAMME'
    ),
    clusters AS (
        SELECT unnest(['DEFENCE', 'OVERSEAS', 'MATRIX', 'SYNERGY', 'UNITY']) AS cluster
    )
    SELECT c.cluster, u.extract_date,
           CASE WHEN u.extract_date IS NULL THEN 'absent'
                WHEN u.extract_date < (SELECT max(extract_date) FROM used) THEN 'stale'
                ELSE 'current' END AS status
    FROM clusters AS c LEFT JOIN used AS u USING (cluster);
