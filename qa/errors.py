"""Every error qa raises on purpose, in one tree: catch ``Error`` for all of them.

Each message is one line that says what went wrong (and, where it can, what to do). The tree, with the built-in
exception each one also is, so that code catching that keeps working:

    Error
    ├── QAError (ValueError) - a request that cannot be done as asked: change what was asked
    │   ├── QuestionError - not text, empty, too long, or without words
    │   ├── HistoryError - not a list of earlier turns, or a turn too long
    │   ├── OptionError - an option, setting or model outside what it may be
    │   ├── RemovalError - no document has that id, or its file is outside the documents folder
    │   ├── CollectionError - no collection of that name, none yet, or several where one must be named
    │   ├── FolderError - a documents folder that cannot be synced without losing documents
    │   ├── MissingExtra (ImportError) - an optional dependency not installed: pip install 'qa[extra]'
    │   └── ClosedError - the engine was closed
    ├── DocumentError (ValueError) - a file that cannot be turned into a document
    ├── DataError (ValueError) - a question set, dialogue set or SQuAD file that cannot be used
    ├── CalibrationError (ValueError) - a calibration file or fit that cannot be used
    ├── MissingError (FileNotFoundError) - a folder or model qa needs is not there
    ├── RemoteError (RuntimeError) - the server could not be asked, or did not answer
    └── StoreError (RuntimeError) - what a store cannot do
        ├── StoreBusy - another process is writing and did not finish in time
        ├── StoreDamaged - a stored file or table failed its checks
        ├── StoreReadOnly - the store can be read but not written
        └── StoreUnavailable - the store cannot be opened: no server, bad URL, missing folder

Every other exception that comes out of qa is a bug (or the machine's: out of memory, a full disk).
Each class is also importable from where it was defined before this module (``qa.validation``, ``qa.store.protocol``...).
"""

from __future__ import annotations


class Error(Exception):
    """Anything qa refuses or cannot do; the message is one line that says why."""


class QAError(Error, ValueError):
    """Something a user asked for that cannot be done; the message is one line that says what to change."""


class QuestionError(QAError):
    """A question that cannot be asked: not text, empty, too long, or without words."""


class HistoryError(QAError):
    """A conversation history that is not a list of earlier turns, or holds a turn that is too long."""


class OptionError(QAError):
    """An option or setting outside what it may be (top_k, retrieval mode, reader, threshold, a model name...)."""


class RemovalError(QAError):
    """A document that cannot be removed: no document has that id, or its file is outside the documents folder."""


class CollectionError(QAError):
    """A collection that cannot be chosen: none named so, none indexed yet, or several where one must be named."""


class FolderError(QAError):
    """A documents folder that cannot be synced without losing documents: missing, or empty where its collection
    holds documents (``prune`` removes them), or the packaged sample, which is never written to."""


class MissingExtra(QAError, ImportError):
    """An optional dependency that is not installed; the message says which ``pip install 'qa[extra]'`` brings it."""


class ClosedError(QAError):
    """An engine asked after ``close()``: make a new one."""


class DocumentError(Error, ValueError):
    """A file that cannot be turned into a document; the message says why."""


class DataError(Error, ValueError):
    """A question set, dialogue set or SQuAD file that cannot be used; the message names the file (and line)."""


class CalibrationError(Error, ValueError):
    """A calibration file or fit that cannot be used."""


class MissingError(Error, FileNotFoundError):
    """A folder or model qa needs is not there (a documents folder, the trained reader, a corpus)."""


class RemoteError(Error, RuntimeError):
    """The server could not be asked, or did not answer; the message is one line that says why."""


class StoreError(Error, RuntimeError):
    """Anything a store cannot do; the message is one line that says why."""


class StoreBusy(StoreError):
    """Another process is writing to the store and did not finish in time."""


class StoreDamaged(StoreError):
    """A stored file or table failed its checks; ``qa index --verify`` tells more, ``--repair`` mends it."""


class StoreReadOnly(StoreError):
    """The store can be read but not written (a read-only folder or database user)."""


class StoreUnavailable(StoreError):
    """The store cannot be opened: no server, bad URL, missing folder."""
