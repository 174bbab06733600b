"""Stage 3, the store: one protocol, shared rules and a registry of backends (local SQLite + FAISS, PostgreSQL)."""
