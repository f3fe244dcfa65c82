"""Saving the strategy office's register from the nightly process's side (issue 15): the same
save as the dashboard's (:mod:`core.register.save`), with the ingest run in this process
(:mod:`.save`) for the CLI and the tests.  The register itself (its versions, edits, checks and
workbook) is domain core: :mod:`core.register`."""
