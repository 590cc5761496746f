"""scripts/summarize_reports.py, make test's closing lines: a report cut short (its suite was
stopped while writing it) is named and counted as a failure, and the others are still summed."""

import subprocess
import sys
from pathlib import Path

from devtools import BACKEND_DIR

SCRIPT = BACKEND_DIR.parent / "scripts" / "summarize_reports.py"


def test_a_cut_short_report_is_a_failure_and_the_others_still_count(tmp_path: Path) -> None:
    cut = tmp_path / "e2e-cut.xml"
    cut.write_text('<testsuites>\n<testsuite name="pages">\n<testcase name="a" time="1"/>\n')
    whole = tmp_path / "backend-whole.xml"
    whole.write_text(
        '<testsuites><testsuite name="b" time="4"><testcase name="c" time="4"/>'
        '<testcase name="d"><skipped/></testcase></testsuite></testsuites>'
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(cut), str(whole)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("e2e-cut.xml: unreadable (")
    assert lines[0].endswith("counted as one failure")
    assert lines[1:] == [
        "backend-whole.xml: 1 passed, 0 failed, 1 skipped in 4 s",
        "total: 1 passed, 1 failed, 1 skipped",
    ]


def test_a_failure_message_with_terminal_colour_codes_is_counted(tmp_path: Path) -> None:
    report = tmp_path / "e2e-pages.xml"
    report.write_text(
        '<testsuites><testcase name="a" time="2"><failure message="Timeout">'
        "\x1b[2m  - waiting for getByRole(...)\x1b[22m</failure></testcase>"
        '<testcase name="b" time="1"/></testsuites>'
    )
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(report)], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == [
        "e2e-pages.xml: 1 passed, 1 failed, 0 skipped in 3 s",
        "total: 1 passed, 1 failed, 0 skipped",
    ]
