"""The cache folder: what it holds counted by kind, cleared by kind, and nothing else in it touched."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.app.cli import main
from qa.cached import Held, clear, contents, described, size_in_words
from qa.documents import ocr
from qa.runtime import exported, reader_exportable


@pytest.fixture
def cache(tmp_path, tiny_model_dir, monkeypatch):
    """A cache folder holding what qa puts there (a model exported to ONNX, two scanned pages' text, what an
    interrupted export left), and a file of the user's own."""
    from transformers import AutoModelForQuestionAnswering

    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path))
    model = Path(tiny_model_dir)
    exported("reader", lambda: reader_exportable(AutoModelForQuestionAnswering.from_pretrained(model)), model, "fp32")
    ocr.keep_text(tmp_path / "ocr", "ab" + "0" * 62, "Invoice KH-2291: the valve cost $227.60.")
    ocr.keep_text(tmp_path / "ocr", "cd" + "1" * 62, "Payment is due in 30 days.")
    interrupted = tmp_path / f".embedder-0123456789abcdef-int8-{2**22 + 1}"  # killed before it was renamed (no pid)
    interrupted.mkdir()
    (interrupted / "plain.onnx").write_bytes(b"\0" * 100)
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    return tmp_path


def test_what_the_cache_holds_is_counted_by_kind(cache):
    held = contents(cache)
    export = next(cache.glob("reader-*-fp32.onnx"))
    assert held["models"] == Held(2, export.stat().st_size + 100)
    assert held["ocr"] == Held(2, len("Invoice KH-2291: the valve cost $227.60.") + len("Payment is due in 30 days."))


def test_clearing_the_scans_text_leaves_the_models_and_reads_no_page_from_it(cache):
    key = "ab" + "0" * 62
    assert ocr.kept_text(cache / "ocr", key) is not None
    removed = clear(cache, "ocr")
    assert removed == {"ocr": Held(2, 66)}
    assert ocr.kept_text(cache / "ocr", key) is None and not (cache / "ocr").exists()
    assert contents(cache)["models"].files == 2


def test_clearing_everything_keeps_what_qa_did_not_put_there(cache):
    removed = clear(cache)
    assert removed["models"].files == 2 and removed["ocr"].files == 2
    assert sorted(p.name for p in cache.iterdir()) == ["notes.txt"]
    assert contents(cache) == {"models": Held(), "ocr": Held()}


def test_a_cache_folder_not_made_yet_holds_nothing_and_clears_without_error(tmp_path):
    assert contents(tmp_path / "none") == {"models": Held(), "ocr": Held()}
    assert clear(tmp_path / "none") == {"models": Held(), "ocr": Held()}


def test_the_cache_command_says_what_it_holds_then_clears_it(cache, capsys):
    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert (
        f"{cache} holds" in out
        and "2 models exported to ONNX" in out
        and "the text of 2 scanned pages (66 bytes)" in out
    )
    assert main(["cache", "--clear", "models"]) == 0
    assert capsys.readouterr().out.startswith("removed 2 models exported to ONNX (")
    assert main(["cache", "--clear"]) == 0
    out = capsys.readouterr().out
    assert (
        out == f"removed 0 models exported to ONNX (0 bytes) and the text of 2 scanned pages (66 bytes) from {cache}\n"
    )


@pytest.mark.parametrize(
    ("size", "words"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (11_400, "11 KB"),
        (999_499, "999 KB"),
        (999_500, "1.0 MB"),
        (45_800_000, "45.8 MB"),
        (1_200_000_000, "1.2 GB"),
    ],
)
def test_sizes_are_said_as_a_person_reads_them(size, words):
    assert size_in_words(size) == words


def test_what_is_held_is_described_in_words():
    assert described("models", Held(1, 22_000_000)) == "1 model exported to ONNX (22.0 MB)"
    assert described("ocr", Held(31, 116_000)) == "the text of 31 scanned pages (116 KB)"


def test_an_export_being_written_is_not_counted_nor_removed(cache):
    writing = cache / f".reader-0123456789abcdef-fp32-{os.getpid()}"  # this process's: it runs
    writing.mkdir()
    (writing / "plain.onnx").write_bytes(b"\0" * 10)
    assert contents(cache)["models"].files == 2
    clear(cache, "models")
    assert (writing / "plain.onnx").exists()
