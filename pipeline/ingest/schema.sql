-- The Workforce Picture warehouse: what `workforce ingest` writes and every reader reads.
--
-- Before this script runs, pipeline/ingest/schema.py creates one ENUM type per code list of
-- the contract (pipeline/contract.py): feed_t (the five clusters and PROGRAMME) and, for each
-- coded column of employees, contingent_labour and ledger, "<column>_t" (grade_t, region_t,
-- age_band_t, ...), in the contract's order.  ENUMs keep the history one byte a code.
--
-- History tables hold one row per VERSION of a record, not per night: a version is valid on
-- the axis of its cluster's loaded extract dates from valid_from (inclusive) to valid_to
-- (exclusive; 9999-12-31 while current).  A record is in the snapshot of loaded date s iff
-- valid_from <= s < valid_to.  Unchanged records cost nothing per night, so fifteen years of
-- nightly deliveries grow with the number of changes.  The *_as_at macros at the end are the
-- SQL-level way to read any date; the query layer builds on them.

-- warehouse_meta: settings of the warehouse itself.  Grain: one row per key
-- (schema_version; register_sha256 = the organisations register last loaded).
CREATE TABLE warehouse_meta (
    key VARCHAR NOT NULL,
    value VARCHAR
);

-- load_log: every delivery attempt that changed the warehouse.  Grain: one row per attempt.
-- A refusal of bytes already refused is reported again by the ingest but not logged twice.
CREATE TABLE load_log (
    load_id INTEGER NOT NULL,         -- 1, 2, ... in the order of the attempts
    feed feed_t NOT NULL,             -- cluster code, or PROGRAMME
    extract_date DATE NOT NULL,
    source_system VARCHAR,            -- from the manifest
    generated_at TIMESTAMP,           -- manifest generated_at, UTC
    files STRUCT(name VARCHAR, sha256 VARCHAR, "rows" BIGINT, extra_columns VARCHAR[])[],
    fingerprint VARCHAR,              -- sha256 over the manifest's file entries (null: unreadable)
    bytes_fingerprint VARCHAR,        -- sha256 over the manifest and every parquet file's bytes
    rows_loaded BIGINT,               -- rows now in the warehouse from this delivery
    rows_quarantined BIGINT,          -- rows held back in `quarantine`, conflicts included
    resent_skipped BIGINT,            -- ledger lines already loaded with identical content
    conflicts BIGINT,                 -- ledger lines loaded before with different content
    outcome VARCHAR NOT NULL,         -- loaded | loaded_with_quarantine | restated | refused
    replaces_load_id INTEGER,         -- restated: the load whose data this one replaced
    reason VARCHAR,                   -- refused: one line naming feed, date, file, column or rule
    started_at TIMESTAMP NOT NULL,    -- UTC
    finished_at TIMESTAMP NOT NULL,   -- UTC
    duration_ms BIGINT NOT NULL,
    -- native deliveries (shared/contract/sources.md); null for contract deliveries
    mapping VARCHAR,                  -- the mapping file named by the manifest (DEFENCE.toml)
    mapping_system VARCHAR,           -- its system: oracle_hcm | workday | sap_successfactors
    mapping_sha256 VARCHAR            -- the mapping file's bytes the delivery was read with
);

-- snapshots: the extract dates loaded, with the load now in effect for each.
-- Grain: one row per (feed, extract_date).  Row counts exclude quarantined rows.
CREATE TABLE snapshots (
    feed feed_t NOT NULL,
    extract_date DATE NOT NULL,
    load_id INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL,     -- manifest fingerprint of the loaded delivery
    employees BIGINT,
    contingent_workers BIGINT,
    ledger_lines BIGINT,              -- new lines this delivery added (re-sends not counted)
    milestones BIGINT,
    benefits BIGINT
);

-- persons: surrogate integer keys for person_key (the pseudonymised cross-government key), so
-- the history stores a small integer per version instead of a long string.
-- Grain: one row per person_key ever loaded.
CREATE TABLE persons (
    person_id INTEGER NOT NULL,
    person_key VARCHAR NOT NULL
);

-- mover_history: the versions of employee_history that belong to movers, people with versions
-- in more than one cluster (moved between clusters, or in two at once), with the columns the
-- one-person-one-count tie-break reads.  Only movers can be in two clusters' snapshots used by
-- one as-at view, so the tie-break reads this small table instead of the whole history
-- (queries/sql/_common.sql).  A copy, kept by the ingest: after each delivery it is rebuilt
-- for the persons whose employee record changed, so it stays exact through moves, late
-- deliveries and restatements.  Grain: one row per (cluster, person_id, version).
CREATE TABLE mover_history (
    cluster feed_t NOT NULL,
    person_id INTEGER NOT NULL,
    organisation_start_date DATE NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL
);

-- month_end_groups and latest_groups: the month-end mart, rebuilt by the ingest after each
-- load (its definition and rules: queries/sql/_month_end_groups.sql).  month_end_groups holds
-- each month-end on or before the latest extract; latest_groups the view after it (every
-- cluster's latest snapshot).  Grain: one row per (month_end, cluster, department,
-- organisation_code, grade) with people; latest_groups without month_end.
CREATE TABLE month_end_groups (
    month_end DATE NOT NULL,
    cluster VARCHAR NOT NULL,
    department VARCHAR,
    organisation_code VARCHAR NOT NULL,
    grade VARCHAR,
    headcount BIGINT NOT NULL,
    fte DOUBLE NOT NULL,
    paybill_gbp DOUBLE NOT NULL,
    leavers BIGINT
);

-- latest_groups: the as-at view after the latest cluster extract (see above).
CREATE TABLE latest_groups (
    cluster VARCHAR NOT NULL,
    department VARCHAR,
    organisation_code VARCHAR NOT NULL,
    grade VARCHAR,
    headcount BIGINT NOT NULL,
    fte DOUBLE NOT NULL,
    paybill_gbp DOUBLE NOT NULL
);

-- employees.parquet is kept as three version tables with the same key (cluster, person_id),
-- split by how often columns change, so that a change of one column does not copy the rest:
-- the annual pay award changes every salary at once, and line managers change several times
-- more often than everything else together.  A person in a cluster's snapshot of date s has
-- exactly one version in each of the three that contains s; employees_as_at joins them.

-- employee_history: the employees columns but person_key (see persons), annual_salary_gbp
-- (salary_history) and manager_employee_id (manager_history).
-- Grain: one row per (cluster, person_id, version).
CREATE TABLE employee_history (
    cluster feed_t NOT NULL,
    person_id INTEGER NOT NULL,
    employee_id VARCHAR NOT NULL,
    organisation_code VARCHAR NOT NULL,
    grade grade_t,
    profession profession_t,
    region region_t,
    employment_type employment_type_t NOT NULL,
    fte DOUBLE NOT NULL,
    civil_service_start_date DATE NOT NULL,
    organisation_start_date DATE NOT NULL,
    sex sex_t,
    ethnicity ethnicity_t,
    disability disability_t,
    age_band age_band_t NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL
);

-- salary_history: annual_salary_gbp of employees.parquet as versions.
-- Grain: one row per (cluster, person_id, version of the salary).
CREATE TABLE salary_history (
    cluster feed_t NOT NULL,
    person_id INTEGER NOT NULL,
    annual_salary_gbp DOUBLE NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL
);

-- manager_history: each employee's line manager (manager_employee_id of employees.parquet)
-- as versions, held as the manager's person_id: the manager is a row of the same file, so at
-- any snapshot the manager's employee_id is that person's employee_id in employee_history.
-- A small integer compresses to half a string, and a manager's new employee_id (a source
-- system migration) is not a change of manager.  Grain: one row per (cluster, person_id,
-- version of the line manager).
CREATE TABLE manager_history (
    cluster feed_t NOT NULL,
    person_id INTEGER NOT NULL,
    manager_person_id INTEGER,        -- null: no manager (the top of a hierarchy), or see next
    manager_employee_id VARCHAR,      -- only when the manager's own row was quarantined
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL
);

-- contingent_history: contingent_labour.parquet as versions.
-- Grain: one row per (cluster, worker_id, version).
CREATE TABLE contingent_history (
    cluster feed_t NOT NULL,
    worker_id VARCHAR NOT NULL,
    organisation_code VARCHAR NOT NULL,
    category category_t NOT NULL,
    fte DOUBLE NOT NULL,
    day_rate_gbp DOUBLE NOT NULL,
    engagement_start_date DATE NOT NULL,
    engagement_end_date DATE,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL
);

-- ledger_lines: general-ledger lines.  Grain: one row per (cluster, journal_id, line_number),
-- kept once however often it is re-sent; extract_date is the delivery that first loaded it.
CREATE TABLE ledger_lines (
    cluster feed_t NOT NULL,
    journal_id VARCHAR NOT NULL,
    line_number BIGINT NOT NULL,
    posting_date DATE NOT NULL,
    period VARCHAR NOT NULL,          -- YYYY-MM
    organisation_code VARCHAR NOT NULL,
    cost_centre VARCHAR NOT NULL,
    account_category account_category_t NOT NULL,
    amount_gbp DECIMAL(18, 2) NOT NULL,
    description VARCHAR,
    extract_date DATE NOT NULL
);

-- milestone_snapshots: every PROGRAMME milestones.parquet, whole, so slippage between
-- register deliveries can be shown.  Grain: one row per (extract_date, milestone_id).
CREATE TABLE milestone_snapshots (
    extract_date DATE NOT NULL,
    milestone_id VARCHAR NOT NULL,
    cluster VARCHAR NOT NULL,         -- a cluster code or ALL
    title VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    baseline_date DATE NOT NULL,
    forecast_date DATE,
    actual_date DATE,
    dca_rating VARCHAR,
    dca_scale VARCHAR,
    owner VARCHAR
);

-- benefit_snapshots: every PROGRAMME benefits.parquet, whole.
-- Grain: one row per (extract_date, cluster, financial_year, measure).
CREATE TABLE benefit_snapshots (
    extract_date DATE NOT NULL,
    cluster VARCHAR NOT NULL,
    financial_year VARCHAR NOT NULL,  -- YYYY-YY
    measure VARCHAR NOT NULL,
    planned_gbp DOUBLE NOT NULL,
    actual_gbp DOUBLE,
    hours_released DOUBLE
);

-- quarantine: rows that broke a rule, held back with the reason, for the deliveries in effect
-- (a restatement replaces its date's quarantined rows too).
-- Grain: one row per quarantined file row.
CREATE TABLE quarantine (
    load_id INTEGER NOT NULL,
    feed feed_t NOT NULL,
    extract_date DATE NOT NULL,
    file VARCHAR NOT NULL,            -- employees.parquet, ...; a native file: workers.csv, ...
    row_number BIGINT NOT NULL,       -- 0-based row of the file
    reason VARCHAR NOT NULL,          -- the broken rules, '; '-separated, each naming its column
    "row" JSON NOT NULL               -- the row as delivered (contract columns; a native file's
                                      -- columns, never its NI number or date of birth)
);

-- organisations: the reference register (data/reference/organisations.csv) as last loaded.
-- Grain: one row per organisation_code.
CREATE TABLE organisations (
    organisation_code VARCHAR NOT NULL,
    organisation_name VARCHAR,
    organisation_type VARCHAR,
    parent_department_code VARCHAR,
    cluster VARCHAR,
    headcount_2023 BIGINT,
    fte_2023 BIGINT,
    median_salary_2023 BIGINT
);

-- snapshots_as_at(as_at): per feed, the greatest loaded extract date on or before as_at.
-- Grain: one row per feed with such a snapshot (absent feeds have none: "absent").
CREATE MACRO snapshots_as_at(as_at) AS TABLE
    SELECT feed, max(extract_date) AS extract_date
    FROM snapshots
    WHERE extract_date <= CAST(as_at AS DATE)
    GROUP BY feed;

-- employees_as_at(as_at): the workforce as at a date (extracts.md §7), before the
-- one-person-one-count rule.  Grain: one row per (cluster, person_key) of each cluster's
-- snapshot used; extract_date says which snapshot that is.  Columns: cluster, extract_date,
-- then the employees.parquet columns in contract order.
CREATE MACRO employees_as_at(as_at) AS TABLE
    SELECT
        e.cluster, s.extract_date, p.person_key, e.employee_id, e.organisation_code, e.grade,
        e.profession, e.region, e.employment_type, e.fte, pay.annual_salary_gbp,
        e.civil_service_start_date, e.organisation_start_date,
        coalesce(boss.employee_id, m.manager_employee_id) AS manager_employee_id, e.sex,
        e.ethnicity, e.disability, e.age_band
    FROM snapshots_as_at(as_at) AS s
    JOIN employee_history AS e
        ON e.cluster = s.feed AND e.valid_from <= s.extract_date AND s.extract_date < e.valid_to
    JOIN salary_history AS pay
        ON pay.cluster = e.cluster AND pay.person_id = e.person_id
        AND pay.valid_from <= s.extract_date AND s.extract_date < pay.valid_to
    JOIN manager_history AS m
        ON m.cluster = e.cluster AND m.person_id = e.person_id
        AND m.valid_from <= s.extract_date AND s.extract_date < m.valid_to
    LEFT JOIN employee_history AS boss
        ON boss.cluster = m.cluster AND boss.person_id = m.manager_person_id
        AND boss.valid_from <= s.extract_date AND s.extract_date < boss.valid_to
    JOIN persons AS p ON p.person_id = e.person_id;

-- contingent_as_at(as_at): contingent workers as at a date.  Grain: one row per
-- (cluster, worker_id).  Columns: cluster, extract_date, then the contract's columns.
CREATE MACRO contingent_as_at(as_at) AS TABLE
    SELECT
        c.cluster, s.extract_date, c.worker_id, c.organisation_code, c.category, c.fte,
        c.day_rate_gbp, c.engagement_start_date, c.engagement_end_date
    FROM snapshots_as_at(as_at) AS s
    JOIN contingent_history AS c
        ON c.cluster = s.feed AND c.valid_from <= s.extract_date AND s.extract_date < c.valid_to;

-- milestones_as_at(as_at) / benefits_as_at(as_at): the PROGRAMME register delivery with the
-- greatest extract date on or before as_at.  Grain: as the register files.
CREATE MACRO milestones_as_at(as_at) AS TABLE
    SELECT m.*
    FROM milestone_snapshots AS m
    JOIN snapshots_as_at(as_at) AS s ON s.feed = 'PROGRAMME' AND m.extract_date = s.extract_date;

CREATE MACRO benefits_as_at(as_at) AS TABLE
    SELECT b.*
    FROM benefit_snapshots AS b
    JOIN snapshots_as_at(as_at) AS s ON s.feed = 'PROGRAMME' AND b.extract_date = s.extract_date;
