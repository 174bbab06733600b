"""``functools.cached_property`` that computes once even when several threads ask at once.

Python 3.12 took the lock out of ``functools.cached_property``: two threads asking for a value not yet cached both
compute it, and each gets its own. For a model, a session or a batcher with threads of its own, that is twice the
loading time and memory, and a copy that stays in use beside the cached one. ``locked_cached_property`` computes
under a reentrant lock of the object's own (a property may use another of the same object; other objects don't wait,
unlike Python 3.11's lock, one per property for every object); once the value is cached it is read without any lock,
as with ``functools.cached_property``.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any, Self, TypeVar, overload

T = TypeVar("T")

_LOCK = "_cached_property_lock"  # the instance's lock, kept in its __dict__ beside the values
_making_locks = threading.Lock()


def _lock_of(instance: object) -> threading.RLock:
    lock = instance.__dict__.get(_LOCK)
    if lock is None:
        with _making_locks:
            lock = instance.__dict__.setdefault(_LOCK, threading.RLock())
    return lock


class locked_cached_property(cached_property[T]):
    """``functools.cached_property``, computed once per object: a thread asking while another computes waits for that
    value. A value that raises is not cached (the next caller computes it again), as with ``functools.cached_property``."""

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Self: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Self | T:
        if instance is None:
            return self
        if self.attrname is None:
            raise TypeError("Cannot use locked_cached_property instance without calling __set_name__ on it.")
        cache = instance.__dict__
        with _lock_of(instance):
            if self.attrname in cache:  # computed by the thread this one waited for
                return cache[self.attrname]
            value = cache[self.attrname] = self.func(instance)
            return value
