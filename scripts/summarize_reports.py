"""Sum JUnit XML reports into one closing line: `total: N passed, N failed, N skipped`, after a
line per report with its counts and how long its tests took."""

import re
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Counts:
    tests: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return self.tests - self.failed - self.skipped


def _seconds(root: ET.Element) -> float:
    # The reporters disagree on where the duration goes: vitest puts it on the root, pytest on
    # its one suite, node's test runner on the cases alone.
    if root.get("time"):
        return float(root.get("time", 0))
    suites = root.findall("testsuite")
    if suites and all(suite.get("time") for suite in suites):
        return sum(float(suite.get("time", 0)) for suite in suites)
    return sum(float(case.get("time", 0)) for case in root.iter("testcase"))


# Characters XML 1.0 forbids. Node's JUnit reporter writes a failure's message as it is, and
# Playwright's carry terminal colour codes (ESC): the report of a suite with a failed browser
# test was unreadable, and its failures went uncounted and unnamed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def counts(path: str) -> Counts:
    text = _NOT_XML.sub("", Path(path).read_text(encoding="utf-8", errors="replace"))
    root = ET.fromstring(text)  # noqa: S314
    result = Counts(seconds=_seconds(root))
    # Count test cases, not suite attributes: node's reporter writes cases with no suite.
    for case in root.iter("testcase"):
        result.tests += 1
        if case.find("failure") is not None or case.find("error") is not None:
            result.failed += 1
        elif case.find("skipped") is not None:
            result.skipped += 1
    return result


def main(paths: list[str]) -> None:
    total = Counts()
    for path in paths:
        try:
            c = counts(path)
        except ET.ParseError as error:
            # A suite that was stopped while writing its report: say so, and sum up the others.
            print(f"{path.rsplit('/', 1)[-1]}: unreadable ({error}), counted as one failure")
            total.tests, total.failed = total.tests + 1, total.failed + 1
            continue
        print(
            f"{path.rsplit('/', 1)[-1]}: {c.passed} passed, {c.failed} failed, "
            f"{c.skipped} skipped in {c.seconds:.0f} s"
        )
        total.tests, total.failed = total.tests + c.tests, total.failed + c.failed
        total.skipped += c.skipped
    print(f"total: {total.passed} passed, {total.failed} failed, {total.skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
