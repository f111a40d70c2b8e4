"""Corpus: turning guideline files into chunks, and the catalogue (registry) that records them.

parse → chunk → ingest; ``registry`` is the SQLite catalogue; ``admin`` the librarian's operations;
``lint`` checks corpus files against the calculators before they are ingested.
"""
