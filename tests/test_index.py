"""The passage index: build, save, load with checks, incremental updates, and saves that cannot half-happen."""

from __future__ import annotations

import json

import faiss
import numpy as np
import pytest

from qa.documents import document_id
from qa.index import CURRENT_FILE, IndexLoadError, PassageIndex, build_index
from qa.models import Document


def make_documents(*texts: str) -> list[Document]:
    return [Document(id=document_id(t), title=t[:10], source=f"{i}.txt", text=t) for i, t in enumerate(texts)]


ALPHA = "Alpha is a small village in the mountains. It has a bakery and a church. The river runs past it."
BETA = "Beta Corporation builds bridges. Its headquarters are in Oslo. It was founded in 1950."
GAMMA = "Gamma rays are energetic photons. They come from radioactive decay."


def test_build_save_and_load_round_trip(embedder, tmp_path):
    index, report = build_index(make_documents(ALPHA, BETA), embedder, 200, 1, progress=False)
    assert report.added and not report.reused and report.embedded_passages == len(index)
    index.save(tmp_path)
    loaded = PassageIndex.load(tmp_path)
    assert [p.model_dump() for p in loaded.passages] == [p.model_dump() for p in index.passages]
    np.testing.assert_allclose(loaded.vectors, index.vectors, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(loaded.vectors, axis=1), 1.0, atol=1e-5)
    manifest = json.loads((tmp_path / (tmp_path / CURRENT_FILE).read_text() / "manifest.json").read_text())
    assert manifest["dimension"] == 384 and manifest["passage_count"] == len(index)
    assert set(manifest["documents"]) == {d.id for d in make_documents(ALPHA, BETA)}
    for passage in loaded.passages:
        assert loaded.documents[passage.document_id].text[passage.start : passage.end] == passage.text


def test_search_finds_the_relevant_passage(embedder):
    index, _ = build_index(make_documents(ALPHA, BETA, GAMMA), embedder, 200, 1, progress=False)
    rows = index.search(embedder.embed(["Where is the headquarters of the bridge company?"])[0], 2)
    assert index.passages[rows[0][0]].text.startswith("Beta") and rows[0][1] > rows[1][1]


def test_incremental_update_reuses_unchanged_documents(embedder):
    first, _ = build_index(make_documents(ALPHA, BETA), embedder, 200, 1, progress=False)
    second, report = build_index(make_documents(ALPHA, GAMMA), embedder, 200, 1, previous=first, progress=False)
    assert report.reused == [document_id(ALPHA)]
    assert report.added == [document_id(GAMMA)] and report.removed == [document_id(BETA)]
    assert report.embedded_passages == sum(p.document_id == document_id(GAMMA) for p in second.passages)
    alpha_rows = [i for i, p in enumerate(second.passages) if p.document_id == document_id(ALPHA)]
    np.testing.assert_array_equal(second.vectors[alpha_rows], first.vectors[: len(alpha_rows)])


def test_changed_settings_rebuild_everything(embedder):
    first, _ = build_index(make_documents(ALPHA), embedder, 200, 1, progress=False)
    _, report = build_index(make_documents(ALPHA), embedder, 100, 1, previous=first, progress=False)
    assert report.added == [document_id(ALPHA)] and not report.reused


def test_passages_fit_what_the_model_reads(embedder):
    long_text = " ".join(f"Paragraph sentence {i} describes item {i} in some detail." for i in range(200))
    index, _ = build_index(make_documents(long_text), embedder, 254, 1, progress=False)
    counts = [len(embedder.tokenizer(p.text)["input_ids"]) for p in index.passages]
    assert max(counts) <= embedder.model.max_seq_length


def test_interrupted_save_keeps_the_previous_index(embedder, tmp_path, monkeypatch):
    old, _ = build_index(make_documents(ALPHA), embedder, 200, 1, progress=False)
    old.save(tmp_path)
    new, _ = build_index(make_documents(ALPHA, BETA), embedder, 200, 1, previous=old, progress=False)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(faiss, "write_index", crash)
    with pytest.raises(KeyboardInterrupt):
        new.save(tmp_path)
    monkeypatch.undo()
    loaded = PassageIndex.load(tmp_path)
    assert set(loaded.documents) == {document_id(ALPHA)}
    new.save(tmp_path)
    assert set(PassageIndex.load(tmp_path).documents) == {document_id(ALPHA), document_id(BETA)}
    assert len(list(tmp_path.glob("v-*"))) == 1


def test_damaged_or_missing_index_is_refused(embedder, tmp_path):
    with pytest.raises(IndexLoadError, match="no index"):
        PassageIndex.load(tmp_path)
    index, _ = build_index(make_documents(ALPHA, BETA), embedder, 200, 1, progress=False)
    folder = index.save(tmp_path)
    lines = (folder / "passages.jsonl").read_text().splitlines()
    (folder / "passages.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(IndexLoadError, match="damaged"):
        PassageIndex.load(tmp_path)
