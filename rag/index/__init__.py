"""The derived indexes: dense vectors in Qdrant (embedded ``edge`` or a server via ``qdrant``), BM25
in bm25s (``lexical``), and the embedders that make the vectors (``embed``, ``embed_onnx``).
"""
