"""Damage written behind a memory store's back, for the shared rules' tests (see qa.testing.store_rules)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from qa.store.memory.store import MemoryStore


def tamper(store: MemoryStore, change: Any) -> None:
    """Apply ``change`` to a copy of the store's contents and publish it, past every check a write makes."""
    with store._place.lock:
        changed = store._place.contents.copied()
        change(changed)
        store._place.contents = changed


class MemoryDamage:
    """``damage_passage`` and ``damage_document`` for a memory store; other stores go to the next class's."""

    def damage_passage(
        self, store: Any, passage_id: str, start: int | None = None, end: int | None = None, vector: Any = None
    ) -> None:
        if not isinstance(store, MemoryStore):
            super().damage_passage(store, passage_id, start, end, vector)  # type: ignore[misc]
            return

        def change(contents: Any) -> None:
            if start is not None:
                passage = contents.passages[passage_id]
                contents.passages[passage_id] = passage.model_copy(update={"start": start, "end": end})
            if vector is not None:
                contents.vectors[passage_id] = np.asarray(vector, dtype=np.float32)

        tamper(store, change)

    def damage_document(self, store: Any, doc_id: str, text: str) -> None:
        if not isinstance(store, MemoryStore):
            super().damage_document(store, doc_id, text)  # type: ignore[misc]
            return

        def change(contents: Any) -> None:
            entry = contents.documents[doc_id]
            document = entry.document.model_copy(update={"text": text})
            contents.documents[doc_id] = dataclasses.replace(entry, document=document)

        tamper(store, change)
