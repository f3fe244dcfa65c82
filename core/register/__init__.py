"""The strategy office's milestone and benefits register, kept in the app (issue 15).

The register is the PROGRAMME feed of the extract contract (extracts.md §6).  Its versions are
the PROGRAMME deliveries loaded (:mod:`.versions`); an edit is checked against the contract and
the editor's own rules (:mod:`.check`), made by the functions of :mod:`.edits`, which also say
what changed, and saved as a new PROGRAMME delivery that the normal ingest loads at once
(:mod:`.save`).  Nothing here imports Streamlit: the Programme page calls it.
"""
