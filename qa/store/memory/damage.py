"""Damage written behind a memory store's back, for the conformance suite's checks on read (qa.testing.store_rules)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from qa.store.memory.store import MemoryStore


def tamper(store: MemoryStore, change: Callable[[Any], None]) -> None:
    """Apply ``change`` to a copy of the store's contents and publish it, past every check a write makes."""
    with store._place.lock:
        changed = store._place.contents.copied()
        change(changed)
        store._place.contents = changed


def damage_passage(
    store: MemoryStore, passage_id: str, start: int | None = None, end: int | None = None, vector: object = None
) -> None:
    """Overwrite a passage's offsets or vector."""

    def change(contents: Any) -> None:
        if start is not None:
            passage = contents.passages[passage_id]
            contents.passages[passage_id] = passage.model_copy(update={"start": start, "end": end})
        if vector is not None:
            contents.vectors[passage_id] = np.asarray(vector, dtype=np.float32)

    tamper(store, change)


def damage_document(store: MemoryStore, doc_id: str, text: str) -> None:
    """Overwrite a document's text, its id (the content hash of the old text) kept."""

    def change(contents: Any) -> None:
        entry = contents.documents[doc_id]
        document = entry.document.model_copy(update={"text": text})
        contents.documents[doc_id] = dataclasses.replace(entry, document=document)

    tamper(store, change)
