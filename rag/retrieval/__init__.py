"""Hybrid retrieval: BM25 + dense candidates, fused, lifted by quantities, filtered by metadata.

Named ``retrieval`` rather than ``search`` so that the package never shadows the public function
``rag.search``.
"""
