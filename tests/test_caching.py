"""locked_cached_property: computed once per object however many threads ask at once (Python 3.12's
functools.cached_property no longer locks)."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qa.caching import locked_cached_property

THREADS = 8


class Counted:
    def __init__(self) -> None:
        self.calls = 0

    @locked_cached_property
    def value(self) -> object:
        """Slow enough that every thread asks before the first one is done."""
        self.calls += 1
        time.sleep(0.05)
        return object()

    @locked_cached_property
    def uses_value(self) -> tuple[object, object]:
        return self.value, object()

    @locked_cached_property
    def fails(self) -> object:
        self.calls += 1
        raise RuntimeError("not this time")


def ask_at_once(read, threads: int = THREADS) -> list:
    start = threading.Barrier(threads)

    def ask(_):
        start.wait()
        return read()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(ask, range(threads)))


def test_threads_asking_at_once_compute_the_value_once():
    counted = Counted()
    seen = ask_at_once(lambda: counted.value)
    assert counted.calls == 1
    assert all(value is seen[0] for value in seen)
    assert counted.value is seen[0]


def test_a_property_may_use_another_of_the_same_object():
    counted = Counted()
    seen = ask_at_once(lambda: counted.uses_value)
    assert counted.calls == 1
    assert all(value is seen[0] for value in seen)
    assert seen[0][0] is counted.value


class Blocking:
    def __init__(self, release: threading.Event) -> None:
        self.release = release
        self.inside = threading.Event()

    @locked_cached_property
    def value(self) -> str:
        self.inside.set()
        self.release.wait(5)
        return "done"


def test_other_objects_do_not_wait():
    """The lock is each object's own (Python 3.11's, one per property for all objects, made this one wait 5 s)."""
    release = threading.Event()
    blocked, other = Blocking(release), Blocking(threading.Event())
    other.release.set()
    thread = threading.Thread(target=lambda: blocked.value)
    thread.start()
    try:
        assert blocked.inside.wait(5)
        begun = time.perf_counter()
        assert other.value == "done"
        assert time.perf_counter() - begun < 1
    finally:
        release.set()
        thread.join()


def test_a_value_that_raises_is_not_cached_and_the_lock_is_released():
    counted = Counted()
    for _ in range(2):
        with pytest.raises(RuntimeError):
            counted.fails  # noqa: B018
    assert counted.calls == 2


def test_set_and_deleted_as_a_cached_property_is():
    counted = Counted()
    counted.value = "given"
    assert counted.value == "given" and counted.calls == 0
    del counted.value
    assert counted.value != "given" and counted.calls == 1


def test_the_embedders_shared_batches_start_once():
    """Questions from several users at once: one SharedBatches (with its thread) for the embedder, not one each."""
    from qa.batching import SharedBatches
    from qa.embedding import Embedder

    made: list[SharedBatches] = []
    embedder = Embedder()

    class Counting(SharedBatches):
        def __init__(self, *args, **kwargs):
            time.sleep(0.05)
            made.append(self)
            super().__init__(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("qa.embedding.SharedBatches", Counting)
        seen = ask_at_once(lambda: embedder.shared)
    for shared in made:
        shared.close()
    assert len(made) == 1
    assert all(shared is made[0] for shared in seen)


def test_qa_caches_properties_with_the_lock():
    """qa's objects are used from several threads (web requests, shared batches): no plain cached_property there."""
    package = Path(__file__).resolve().parents[1] / "qa"
    plain = [
        path.name
        for path in package.rglob("*.py")
        if path.name != "caching.py"
        and re.search(r"\bfunctools\.cached_property\b|from functools import .*\bcached_property\b", path.read_text())
    ]
    assert plain == []
