"""The chat served by ``python app.py`` in a subprocess, and headless Chromium's flags: for the screenshot script and
the tests that drive a real server or browser."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and no connection attempts of its own (this machine's network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class ChatNotReady(RuntimeError):
    """``app.py`` exited, or printed no "ready:" line in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chat(
    documents: Path, index: Path, log_path: Path, *flags: str, timeout_s: float = 300
) -> tuple[subprocess.Popen, str]:
    """``python app.py`` over ``documents`` on a free port; returns once it printed its "ready:" line, with its URL."""
    command = [sys.executable, str(REPO / "app.py"), "--port", str(free_port())]
    command += ["--documents", str(documents), "--index", str(index), *flags]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace")
        ready = [line for line in text.splitlines() if line.startswith("ready: ")]
        if ready:
            return process, ready[0].split()[1]
        if process.poll() is not None:
            raise ChatNotReady(f"app.py exited with {process.returncode}:\n{text[-4000:]}")
        time.sleep(0.5)
    stop_chat(process)
    raise ChatNotReady(f"app.py not ready after {timeout_s:.0f} s:\n{log_path.read_text(errors='replace')[-4000:]}")


def stop_chat(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
