"""Native sources (shared/contract/sources.md): the clusters' own exports, conformed to the
extract contract by a mapping file before the ingest's usual checks and load.

* :mod:`.systems` — the three systems' files and columns, as data;
* :mod:`.mapping` — the mapping file (TOML): its model, and a loader whose every fault is one
  line naming the file, the table and the key;
* :mod:`.csvfile` — reading a native CSV: its bytes, its declared encoding, its header;
* :mod:`.person_key` — the keyed pseudonym of a national insurance number, and the age band;
* :mod:`.derive` — the SQL of each contract column, from :mod:`.systems`' entries;
* :mod:`.conform` — the native rows to the contract's columns, in DuckDB, with the rows that
  cannot be conformed and why.

National insurance numbers and dates of birth are read only inside the one SQL statement that
turns them into ``person_key`` and ``age_band``: no table, message or log holds them.
"""
