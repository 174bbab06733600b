"""The table of hostile cases and faults: runs their tests and writes how many of each group pass to docs/hostile.md.

python -m eval.hostile                 # runs the tests (a few minutes on 2 cores), writes docs/hostile.md
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Each group: its title, then the tests (file::function prefix) whose cases it counts.
GROUPS: list[tuple[str, list[str]]] = [
    (
        "Questions, histories and options (Python API, CLI, web)",
        [
            "test_hostile.py::test_api_ask",
            "test_hostile.py::test_api_settings_overrides",
            "test_hostile.py::test_api_an_unknown_reader",
            "test_hostile.py::test_cli_ask",
            "test_hostile.py::test_cli_settings",
            "test_hostile.py::test_web_ask",
            "test_validation.py::",
        ],
    ),
    (
        "Files and folders: unreadable, hidden, linked, huge, encoded, uploaded, removed",
        [
            "test_hostile.py::test_api_documents",
            "test_hostile.py::test_api_a_",
            "test_hostile.py::test_api_uploads",
            "test_hostile.py::test_api_delete_file",
            "test_hostile.py::test_api_removing",
            "test_hostile.py::test_cli_logs",
            "test_documents.py::",
        ],
    ),
    (
        "The chat: uploads, removals, sign-in, what visitors see",
        [
            "test_hostile.py::test_web_",
            "test_web.py::test_bad_",
            "test_web.py::test_remove",
            "test_web.py::test_sign_in",
            "test_web.py::test_uploads",
            "test_web.py::test_a_",
            "test_web.py::test_failed",
            "test_web.py::test_store",
        ],
    ),
    (
        "Collections: nothing removed unless meant",
        [
            "test_collections.py::",
            "test_pipeline.py::test_asking_with",
            "test_pipeline.py::test_a_missing_or_emptied",
            "test_pipeline.py::test_a_file_gone",
            "test_pipeline.py::test_the_packaged_sample",
            "test_pipeline.py::test_a_read_only",
            "test_pipeline.py::test_several_collections",
            "test_cli.py::test_asking_from_a_folder",
            "test_cli.py::test_index_refuses",
            "test_index.py::test_a_missing_folder",
        ],
    ),
    (
        "Store faults: crashes, damage, locks, read-only, backups",
        [
            "test_store_faults.py::",
            "test_postgres_replica.py::",
            "test_hostile.py::test_cli_a_",
            "test_store_local.py::",
            "test_index.py::test_an_interrupted",
            "test_index.py::test_a_resumed",
            "test_index.py::test_a_document_over",
            "test_index.py::test_a_changed_file",
            "test_cli.py::test_backup",
            "test_cli.py::test_verify",
        ],
    ),
]


def group_of(nodeid: str) -> str | None:
    """The title of the group a test case belongs to (its first match), or None."""
    name = nodeid.split("/", 1)[-1].split("[", 1)[0]
    for title, prefixes in GROUPS:
        if any(name.startswith(prefix) for prefix in prefixes):
            return title
    return None


class Outcomes:
    """A pytest plugin that keeps each test case's outcome (a failure in setup or teardown counts as a failure)."""

    def __init__(self) -> None:
        self.outcome: dict[str, str] = {}

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Run the cases of the groups only (their files hold other tests too)."""
        kept = [item for item in items if group_of(item.nodeid) is not None]
        config.hook.pytest_deselected(items=[item for item in items if group_of(item.nodeid) is None])
        items[:] = kept

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed or report.when == "call" or (report.when == "setup" and report.skipped):
            if self.outcome.get(report.nodeid) != "failed":
                self.outcome[report.nodeid] = report.outcome


def table(outcomes: dict[str, str]) -> list[str]:
    """Markdown rows: each group with its cases, passed, failed and skipped, then the total."""
    counts: dict[str, Counter] = {title: Counter() for title, _ in GROUPS}
    for nodeid, outcome in outcomes.items():
        title = group_of(nodeid)
        if title is not None:
            counts[title][outcome] += 1
    rows = ["| group | cases | passed | failed | skipped |", "|---|---:|---:|---:|---:|"]
    total: Counter = Counter()
    for title, count in counts.items():
        total += count
        rows.append(f"| {title} | {sum(count.values())} | {count['passed']} | {count['failed']} | {count['skipped']} |")
    rows.append(f"| **all** | **{sum(total.values())}** | {total['passed']} | {total['failed']} | {total['skipped']} |")
    return rows


def cpu_name() -> str:
    try:
        found = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return platform.processor() or "unknown CPU"
    model = next((line.split(":", 1)[1].strip() for line in found.splitlines() if line.startswith("Model name")), "")
    return model or platform.processor() or "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "hostile.md")
    args = parser.parse_args(argv)
    files = sorted({prefix.split("::")[0] for _, prefixes in GROUPS for prefix in prefixes})
    plugin = Outcomes()
    began = time.monotonic()
    status = pytest.main(["-q", "-p", "no:cacheprovider", *(str(REPO / "tests" / f) for f in files)], plugins=[plugin])
    counted = {k: v for k, v in plugin.outcome.items() if group_of(k) is not None}
    lines = [
        "# Hostile cases and faults",
        "",
        "Every case is a test in the suite, run by `python -m eval.hostile` (which writes this page); a case is clean",
        "when its test passes: the exact one-line message, nothing lost, nothing shown that should not be.",
        "",
        *table(counted),
        "",
        f"Ran {len(counted)} cases in {time.monotonic() - began:.0f} s on {cpu_name()} ({time.strftime('%Y-%m-%d')}).",
        "",
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if status in (0, pytest.ExitCode.OK) else int(status)


if __name__ == "__main__":
    sys.exit(main())
