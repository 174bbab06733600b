"""The local backend: SQLite with in-memory FAISS and BM25, in an index folder."""
