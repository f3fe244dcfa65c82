"""The domain core that the dashboard, the queries and the nightly pipeline all stand on.

The extract contract's models (:mod:`.contract`), the settings (:mod:`.settings`), the access
policy (:mod:`.access`), the audit log (:mod:`.audit`), the warehouse's location and versions
(:mod:`.warehouse`), the organisations register (:mod:`.reference`), the programme register
(:mod:`.register`), the native systems' columns as data (:mod:`.systems`), the calendar
(:mod:`.dates`), spreadsheet-safe text (:mod:`.spreadsheet`), locks, hashing and one-line error
text.  It imports nothing of ``queries``, ``pipeline`` or ``dashboard`` (import-linter's layers
contract in ``pyproject.toml``), and no Streamlit or Plotly.
"""
