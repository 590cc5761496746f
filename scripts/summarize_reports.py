"""Sum JUnit XML reports into one closing line: `total: N passed, N failed, N skipped`."""

import sys
import xml.etree.ElementTree as ET  # noqa: S405 (our own test reports)


def counts(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests, failed, skipped


def main(paths: list[str]) -> None:
    tests = failed = skipped = 0
    for path in paths:
        t, f, s = counts(path)
        print(f"{path.rsplit('/', 1)[-1]}: {t - f - s} passed, {f} failed, {s} skipped")
        tests, failed, skipped = tests + t, failed + f, skipped + s
    print(f"total: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
