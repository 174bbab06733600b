"""The PostgreSQL backend: pgvector HNSW and BM25 postings in one database, and a local server."""
