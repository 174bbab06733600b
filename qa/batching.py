"""Shared batches: what callers on several threads ask of one model at the same moment, run in one call of it."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class Request(Generic[Item, Result]):
    """The items of one caller, waiting for their results."""

    items: Sequence[Item]
    done: threading.Event = field(default_factory=threading.Event)
    results: list[Result] | None = None
    error: BaseException | None = None


class SharedBatches(Generic[Item, Result]):
    """Runs the items of callers asking at the same time in shared calls of ``forward`` (items in, one result per
    item out, in order). ``workers`` threads call it; while they do, new requests queue up, and the next call takes
    all of them (up to ``max_items``, never splitting a request): no caller waits for others to arrive, and under load
    the batches grow instead of the calls competing for the cores. One worker suits a PyTorch model, whose passes use
    every core; ONNX Runtime runs a small batch alone and leaves cores idle between its operators, so two calls side
    by side keep them busy. A call that raises raises in every caller it served; the workers go on. ``close()`` ends
    the workers once they have answered every request made before it."""

    def __init__(
        self,
        forward: Callable[[list[Item]], list[Result]],
        max_items: int = 64,
        workers: int = 1,
        name: str = "qa-batches",
    ):
        if max_items < 1 or workers < 1:
            raise ValueError(f"max_items and workers must be at least 1, not {max_items} and {workers}")
        self.forward = forward
        self.name = name
        self.max_items = max_items
        self.calls = 0  # calls of forward made, the items they took and the seconds they ran: how much was shared
        self.items = 0
        self.seconds = 0.0
        self._counting = threading.Lock()  # two workers may finish at once
        self._queue: queue.SimpleQueue[Request[Item, Result] | None] = queue.SimpleQueue()  # None: a worker stops
        self._closing = threading.Lock()  # no request is queued behind the workers' stops
        self._closed = False
        self._threads = [threading.Thread(target=self._serve, name=f"{name}-{n}", daemon=True) for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def run(self, items: Sequence[Item]) -> list[Result]:
        """The results of ``items``, in order (raises what ``forward`` raised)."""
        if not items:
            return []
        request: Request[Item, Result] = Request(items)
        with self._closing:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed: it runs nothing more")
            self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.results is not None
        return request.results

    def close(self) -> None:
        """Stop the workers once they have answered what was asked before, and wait for them; ``run`` raises
        RuntimeError after. Calling it again does nothing."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            for _ in self._threads:
                self._queue.put(None)
        for thread in self._threads:
            if thread is not threading.current_thread():  # (closed from within ``forward``)
                thread.join()

    def _serve(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            gathered, count = [first], len(first.items)
            while count < self.max_items:
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:  # this worker's stop: it answers what it gathered, then ends
                    stopping = True
                    break
                gathered.append(waiting)
                count += len(waiting.items)
            self._answer(gathered)

    def _answer(self, gathered: list[Request[Item, Result]]) -> None:
        items = [item for request in gathered for item in request.items]
        began = time.perf_counter()
        try:
            results = self.forward(items)
            with self._counting:
                self.calls, self.items = self.calls + 1, self.items + len(items)
                self.seconds += time.perf_counter() - began
        except Exception as error:  # noqa: BLE001 - every waiting caller raises it; the worker goes on
            for request in gathered:
                request.error = error
                request.done.set()
            return
        offset = 0
        for request in gathered:
            request.results = results[offset : offset + len(request.items)]
            offset += len(request.items)
            request.done.set()
