"""Damage written behind a local store's back, for the conformance suite's checks on read (qa.testing.store_rules)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from qa.store.local.store import DATABASE_FILE, LocalStore, passage_crc


def damage_passage(
    store: LocalStore, passage_id: str, start: int | None = None, end: int | None = None, vector: object = None
) -> None:
    """Overwrite a passage's offsets or vector in the database, its checksum made anew: only the shared checks on
    read can catch it."""
    with sqlite3.connect(Path(store.folder) / DATABASE_FILE) as db:
        if start is not None:
            db.execute("UPDATE passages SET start = ?, end = ? WHERE id = ?", (start, end, passage_id))
        if vector is not None:
            blob = np.asarray(vector, np.float32).tobytes()
            text, tokens = db.execute("SELECT text, tokens FROM passages WHERE id = ?", (passage_id,)).fetchone()
            db.execute(
                "UPDATE passages SET vector = ?, crc = ? WHERE id = ?",
                (blob, passage_crc(text, blob, tokens), passage_id),
            )
    db.close()


def damage_document(store: LocalStore, doc_id: str, text: str) -> None:
    """Overwrite a document's text, its id (the content hash of the old text) kept."""
    with sqlite3.connect(Path(store.folder) / DATABASE_FILE) as db:
        db.execute("UPDATE documents SET text = ? WHERE id = ?", (text, doc_id))
    db.close()
