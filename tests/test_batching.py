"""Shared batches: callers on several threads served by shared calls, each getting its own results."""

import threading
import time

import pytest

from qa.batching import SharedBatches


def test_callers_at_the_same_moment_share_calls_and_get_their_own_results_in_order():
    calls = []

    def slow_square(items):  # as slow as a model's pass: callers arriving meanwhile queue up
        calls.append(list(items))
        time.sleep(0.05)
        return [item * item for item in items]

    shared = SharedBatches(slow_square, max_items=100)
    release, results = threading.Barrier(12), [None] * 12

    def ask(number: int) -> None:
        release.wait()
        results[number] = shared.run([number, number + 100])

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == [[n * n, (n + 100) ** 2] for n in range(12)]
    assert shared.calls == len(calls) <= 3  # twelve callers, served in a few shared calls
    assert shared.items == 24 and shared.seconds >= 0.05 * shared.calls  # what the calls took and how long they ran
    assert sorted(item for call in calls for item in call) == sorted(list(range(12)) + list(range(100, 112)))


def test_a_call_stops_gathering_at_max_items_and_never_splits_a_request():
    calls = []
    gate = threading.Event()

    def forward(items):
        gate.wait(5)
        calls.append(len(items))
        return list(items)

    shared = SharedBatches(forward, max_items=4)
    threads = [threading.Thread(target=shared.run, args=([n] * 3,)) for n in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # all five wait while the first call is held
    gate.set()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(calls) == 15 and all(c <= 6 for c in calls)  # one request of 3 at most past the limit of 4
    assert shared.calls == len(calls) >= 3


def test_a_failing_call_raises_in_every_caller_it_served_and_the_worker_goes_on():
    calls = []

    def forward(items):
        calls.append(len(items))
        if len(calls) == 1:
            raise RuntimeError("out of memory")
        return [-item for item in items]

    shared = SharedBatches(forward)
    with pytest.raises(RuntimeError, match="^out of memory$"):
        shared.run([1, 2, 3])
    assert shared.run([4, 5]) == [-4, -5]
    assert shared.run([]) == [] and calls == [3, 2]


def test_bad_limits_are_refused_in_the_constructor():
    with pytest.raises(ValueError, match="^max_items and workers must be at least 1, not 0 and 1$"):
        SharedBatches(list, max_items=0)


def test_closing_answers_what_was_asked_before_then_ends_the_workers():
    gate = threading.Event()

    def forward(items):
        gate.wait(5)
        return [item * 10 for item in items]

    shared = SharedBatches(forward, max_items=2, workers=2, name="test-batches")
    results = [None] * 6
    threads = [threading.Thread(target=lambda n=n: results.__setitem__(n, shared.run([n, n + 1]))) for n in range(6)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while shared._queue.qsize() < 4 and time.monotonic() < deadline:  # two calls held, the four others queued
        time.sleep(0.01)
    closing = threading.Thread(target=shared.close)
    closing.start()
    gate.set()
    closing.join(timeout=30)
    for thread in threads:
        thread.join(timeout=30)
    assert results == [[n * 10, (n + 1) * 10] for n in range(6)]
    assert not any(worker.is_alive() for worker in shared._threads)
    with pytest.raises(RuntimeError, match="^test-batches is closed: it runs nothing more$"):
        shared.run([1])
    shared.close()  # again: nothing to do
    assert shared.run([]) == []
