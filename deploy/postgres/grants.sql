-- What the dashboard's role may do on the audit log, and nothing else.  Run after schema.sql,
-- as the tables' owner:
--
--     psql "postgresql://workforce_owner@HOST/workforce" -v ON_ERROR_STOP=1 -f grants.sql
--
-- The app connects as `workforce_app` (WORKFORCE_AUDIT=postgresql://workforce_app:...@HOST/
-- workforce, and WORKFORCE_AUDIT_KEY set).  If your platform names the login role otherwise,
-- create `workforce_app` NOLOGIN and `GRANT workforce_app TO your_login;`.  The role must own
-- nothing in this database and have no CREATE on it or on its schemas.
--
--   audit.log   SELECT, INSERT     (read and append; never UPDATE, DELETE, TRUNCATE)
--   audit.head  SELECT, UPDATE of seq, hash and mac  (move the head forward by one: the
--               triggers refuse anything else; UPDATE is also what `SELECT ... FOR UPDATE`,
--               which serialises the servers appending at once, requires)
-- The app role cannot ALTER, DROP or disable a trigger: only the owner can.

GRANT USAGE ON SCHEMA audit TO workforce_app;
GRANT SELECT, INSERT ON audit.log TO workforce_app;
GRANT SELECT ON audit.head TO workforce_app;
GRANT UPDATE (seq, hash, mac) ON audit.head TO workforce_app;
