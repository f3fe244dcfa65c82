-- Shared building blocks of the metric queries: the as-at views every metric starts from.
-- Created as TEMP macros on each cursor before a metric runs (the warehouse is opened
-- read-only; temporary objects live in the cursor's own memory): only those the metric calls,
-- and those they call (queries/runner.py: each costs milliseconds to define).
-- Grain and columns are stated per macro.  No parameters of their own: callers pass them.

-- org_dim: one row per organisation of the register, with its department and cluster.
-- Grouped by the code (the register's grain) so that the optimizer knows a join to it adds
-- no rows, and drops a LEFT JOIN whose columns a query does not use.
CREATE OR REPLACE TEMP MACRO org_dim() AS TABLE
    SELECT organisation_code, any_value(organisation_name) AS organisation_name,
           any_value(parent_department_code) AS department, any_value(cluster) AS org_cluster
    FROM organisations
    GROUP BY organisation_code;

-- The as-at workforce (extracts.md §7): each cluster contributes its snapshot with the
-- greatest extract date on or before as_at; a person in several clusters' snapshots counts
-- once, in the organisation with the later organisation_start_date; ties go to the later
-- snapshot, then the cluster code sorting first.
--
-- rows_at(as_at): the rows of every cluster's snapshot used, before that rule.
-- Grain: one row per (cluster, person).  Columns: the employees.parquet columns but
-- person_key (person_id: the warehouse's integer for it), annual_salary_gbp and
-- manager_employee_id, then feed (the cluster as stored), cluster (as text) and extract_date
-- (the snapshot used).  Both cluster columns come from the snapshot side of the join, so a
-- caller's filter on them is applied to the handful of snapshots rather than to every row.
CREATE OR REPLACE TEMP MACRO rows_at(as_at) AS TABLE
    SELECT e.* EXCLUDE (cluster, valid_from, valid_to),
           u.feed, CAST(u.feed AS VARCHAR) AS cluster, u.extract_date
    FROM employee_history AS e
    JOIN snapshots_as_at(as_at) AS u
      ON e.cluster = u.feed AND e.valid_from <= u.extract_date AND u.extract_date < e.valid_to;

-- lost_at(as_at): the rows of rows_at that the rule leaves out: a person's rows in every
-- snapshot but the one they count in.  Only movers (people with history in more than one
-- cluster) can be in two snapshots, so the rule reads only their versions, which the ingest
-- keeps apart in mover_history.  Grain: one row per (cluster, person) left out.
-- Columns: feed, person_id.
CREATE OR REPLACE TEMP MACRO lost_at(as_at) AS TABLE
    SELECT u.feed, m.person_id
    FROM mover_history AS m
    JOIN snapshots_as_at(as_at) AS u
      ON m.cluster = u.feed AND m.valid_from <= u.extract_date AND u.extract_date < m.valid_to
    QUALIFY row_number() OVER (
        PARTITION BY m.person_id
        ORDER BY m.organisation_start_date DESC, u.extract_date DESC, CAST(u.feed AS VARCHAR)
    ) > 1;

-- people_at(as_at): who is in post as at a date, one person one count (see above).
-- Grain: one row per person.  Columns: rows_at's but feed, then department.
CREATE OR REPLACE TEMP MACRO people_at(as_at) AS TABLE
    SELECT r.* EXCLUDE (feed), o.department
    FROM rows_at(as_at) AS r
    ANTI JOIN lost_at(as_at) AS l USING (feed, person_id)
    LEFT JOIN org_dim() AS o USING (organisation_code);

-- workforce_at(as_at): people_at with each person's annual_salary_gbp as at the same snapshot
-- (tests/test_queries_core.py holds its people equal to people_at's).  Without the pay rows of
-- the snapshots left out a person has one pay row, so person_id alone finds it: a join on one
-- small integer, which DuckDB answers by direct lookup (a "perfect hash join", while person ids
-- stay within about a million; beyond, an ordinary hash join).  OFFSET 0 fences pay off from the
-- join order optimizer, which would otherwise join the raw salary history to the people and
-- so hash the people's columns (organisation code and all) instead of the pay: at scale 1 the
-- fence makes the whole view a third faster.  lost_at is written twice rather than as a
-- materialized CTE (DuckDB computes it once), which would stop the optimizer from dropping
-- the join to org_dim when department is not used.
-- Grain: one row per person.  Columns: people_at's, then annual_salary_gbp.
CREATE OR REPLACE TEMP MACRO workforce_at(as_at) AS TABLE
    WITH pay AS (
        SELECT s.person_id, s.annual_salary_gbp
        FROM salary_history AS s
        JOIN snapshots_as_at(as_at) AS u
          ON s.cluster = u.feed AND s.valid_from <= u.extract_date AND u.extract_date < s.valid_to
        ANTI JOIN lost_at(as_at) AS l ON l.feed = u.feed AND l.person_id = s.person_id
        OFFSET 0
    )
    SELECT r.* EXCLUDE (feed), o.department, pay.annual_salary_gbp
    FROM rows_at(as_at) AS r
    ANTI JOIN lost_at(as_at) AS l USING (feed, person_id)
    JOIN pay USING (person_id)
    LEFT JOIN org_dim() AS o USING (organisation_code);

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

-- month_end_on_or_before(d): the last month-end on or before a date (d itself if it is one).
CREATE OR REPLACE TEMP MACRO month_end_on_or_before(d) AS
    CAST(last_day(CAST(d AS DATE) + INTERVAL 1 DAY - INTERVAL 1 MONTH) AS DATE);

-- month_ends(date_from, date_to): the month-ends on or between two dates, and whether the
-- warehouse covers each (some cluster has a snapshot on or before it, so an as-at view there
-- is not empty for want of data).  Grain: one row per month-end.  Columns: month_end,
-- is_covered.
CREATE OR REPLACE TEMP MACRO month_ends(date_from, date_to) AS TABLE
    SELECT CAST(last_day(m) AS DATE) AS month_end,
           coalesce(CAST(last_day(m) AS DATE) >= (
               SELECT min(extract_date) FROM snapshots WHERE CAST(feed AS VARCHAR) <> 'PROGRAMME'
           ), false) AS is_covered
    FROM range(
        CAST(date_trunc('month', CAST(date_from AS DATE)) AS TIMESTAMP),
        CAST(CAST(date_to AS DATE) AS TIMESTAMP) + INTERVAL 1 DAY,
        INTERVAL 1 MONTH
    ) AS t(m)
    WHERE last_day(m) BETWEEN CAST(date_from AS DATE) AND CAST(date_to AS DATE);

-- people_month_ends(date_from, date_to): people_at(m) for every month-end m on or between two
-- dates, in one pass over the history intervals rather than one query per date.  The rule is
-- people_at's, restated for many dates: each cluster's snapshot on or before m, and one person
-- one count with lost_at's tie-break, per month-end (tests/test_queries_efficiency.py holds
-- the two equal at every month-end).  At scale 1 on two cores, two years of month-ends with
-- pay (workforce_trend) take about 1.5 s, against 3.3 s or more for a lateral join of
-- workforce_at per month-end.
-- Grain: one row per (month_end, person_id).  Columns: month_end, then people_at's.
CREATE OR REPLACE TEMP MACRO people_month_ends(date_from, date_to) AS TABLE
    WITH used AS (
        SELECT m.month_end, s.feed, max(s.extract_date) AS extract_date
        FROM month_ends(date_from, date_to) AS m
        JOIN snapshots AS s ON s.extract_date <= m.month_end
        WHERE CAST(s.feed AS VARCHAR) <> 'PROGRAMME'
        GROUP BY ALL
    ),
    lost AS (
        SELECT u.month_end, u.feed, m.person_id
        FROM mover_history AS m
        JOIN used AS u
          ON m.cluster = u.feed AND m.valid_from <= u.extract_date AND u.extract_date < m.valid_to
        QUALIFY row_number() OVER (
            PARTITION BY u.month_end, m.person_id
            ORDER BY m.organisation_start_date DESC, u.extract_date DESC, CAST(u.feed AS VARCHAR)
        ) > 1
    )
    SELECT u.month_end, e.* EXCLUDE (cluster, valid_from, valid_to),
           CAST(u.feed AS VARCHAR) AS cluster, u.extract_date, o.department
    FROM employee_history AS e
    JOIN used AS u
      ON e.cluster = u.feed AND e.valid_from <= u.extract_date AND u.extract_date < e.valid_to
    ANTI JOIN lost AS l
      ON l.month_end = u.month_end AND l.feed = u.feed AND l.person_id = e.person_id
    LEFT JOIN org_dim() AS o USING (organisation_code);

-- workforce_month_ends(date_from, date_to): workforce_at(m) for every month-end m on or
-- between two dates: people_month_ends with each person's annual_salary_gbp as at the same
-- snapshot.  Grain: one row per (month_end, person_id).  Columns: month_end, then
-- workforce_at's.
CREATE OR REPLACE TEMP MACRO workforce_month_ends(date_from, date_to) AS TABLE
    SELECT p.*, pay.annual_salary_gbp
    FROM people_month_ends(date_from, date_to) AS p
    JOIN salary_history AS pay
      ON CAST(pay.cluster AS VARCHAR) = p.cluster AND pay.person_id = p.person_id
      AND pay.valid_from <= p.extract_date AND p.extract_date < pay.valid_to;

-- month_end_rows(date_from, date_to): the month-end mart's rows for every covered month-end
-- on or between two dates: month_end_groups (built by the ingest from workforce_month_ends,
-- queries/sql/_month_end_groups.sql) up to the last month-end on or before the latest
-- extract, then, for any later month-end, the view after the latest extract (latest_groups:
-- every cluster's latest snapshot, so nobody leaves between two such month-ends).
-- Grain: one row per (month_end, cluster, department, organisation_code, grade) with people.
-- Columns: month_end, cluster, department, organisation_code, grade, headcount, fte,
-- paybill_gbp, leavers (null at a month-end whose next month-end is not covered yet).
CREATE OR REPLACE TEMP MACRO month_end_rows(date_from, date_to) AS TABLE
    SELECT * FROM month_end_groups
    WHERE month_end BETWEEN CAST(date_from AS DATE) AND CAST(date_to AS DATE)
    UNION ALL
    SELECT m.month_end, l.*, 0 AS leavers
    FROM month_ends(date_from, date_to) AS m
    CROSS JOIN latest_groups AS l
    WHERE m.is_covered
      AND m.month_end > (SELECT coalesce(max(month_end), DATE '0001-01-01') FROM month_end_groups);

-- ledger_named(): every ledger line loaded, with cluster and account_category as text and the
-- organisation's department: the one reading of the ledger that spend.sql (every line) and
-- ledger_at (the lines known at a date) share.  Grain: one row per (cluster, journal_id,
-- line_number).  Columns: ledger_lines' with cluster and account_category as text, then
-- department.
CREATE OR REPLACE TEMP MACRO ledger_named() AS TABLE
    SELECT l.* EXCLUDE (cluster, account_category),
           CAST(l.cluster AS VARCHAR) AS cluster,
           CAST(l.account_category AS VARCHAR) AS account_category,
           o.department
    FROM ledger_lines AS l
    LEFT JOIN org_dim() AS o USING (organisation_code);

-- ledger_at(as_at): the ledger as it stood at the end of a date: the lines posted on or before
-- it, from deliveries extracted on or before it.  The ledger is incremental (each nightly
-- delivery carries the lines posted that day) and a line's extract_date is the delivery that
-- first loaded it, so a line posted before the date but delivered after it was not yet known.
-- Each (journal_id, line_number) once, as stored.  Grain: one row per (cluster, journal_id,
-- line_number).  Columns: ledger_named()'s.
CREATE OR REPLACE TEMP MACRO ledger_at(as_at) AS TABLE
    SELECT * FROM ledger_named()
    WHERE posting_date <= CAST(as_at AS DATE) AND extract_date <= CAST(as_at AS DATE);

-- ledger_complete_through(as_at): per cluster with a delivery on or before as_at, its latest
-- such delivery and the last accounting period its ledger has complete as at the date.
-- A cluster's period P is complete as at D when the cluster has a delivery (an extract) dated
-- on or after P's last day and on or before D: each delivery carries the lines posted that
-- day, so by then every line posted in P has arrived (lines posted to P later, such as arrears,
-- count as they arrive).  A later period is partial: its lines so far are part of a month.
-- Grain: one row per cluster.  Columns: cluster, delivered_to (date), complete_through
-- (YYYY-MM: the last complete period; every earlier one is complete too).
CREATE OR REPLACE TEMP MACRO ledger_complete_through(as_at) AS TABLE
    SELECT CAST(feed AS VARCHAR) AS cluster, extract_date AS delivered_to,
           strftime(month_end_on_or_before(extract_date), '%Y-%m') AS complete_through
    FROM snapshots_as_at(as_at)
    WHERE CAST(feed AS VARCHAR) <> 'PROGRAMME';
