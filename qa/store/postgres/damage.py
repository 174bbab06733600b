"""Damage written behind a PostgreSQL store's back, for the conformance suite's checks on read
(qa.testing.store_rules)."""

from __future__ import annotations

import numpy as np

from qa.store.postgres.store import PostgresStore


def damage_passage(
    store: PostgresStore, passage_id: str, start: int | None = None, end: int | None = None, vector: object = None
) -> None:
    """Overwrite a passage's offsets or vector in its table (pgvector refuses what is not finite: a vector of another
    dimension is what can be stored)."""
    import psycopg

    with psycopg.connect(store.location, autocommit=True) as server:
        if start is not None:
            server.execute("UPDATE passages SET start_char = %s, end_char = %s WHERE id = %s", (start, end, passage_id))
        if vector is not None:
            server.execute("DROP INDEX IF EXISTS passages_embedding")
            server.execute("ALTER TABLE passages ALTER COLUMN embedding TYPE vector")
            shown = "[" + ",".join(str(float(x)) for x in np.asarray(vector).ravel()) + "]"
            server.execute("UPDATE passages SET embedding = %s::vector WHERE id = %s", (shown, passage_id))


def damage_document(store: PostgresStore, doc_id: str, text: str) -> None:
    """Overwrite a document's text, its id (the content hash of the old text) kept."""
    import psycopg

    with psycopg.connect(store.location, autocommit=True) as server:
        server.execute("UPDATE documents SET text = %s WHERE id = %s", (text, doc_id))
