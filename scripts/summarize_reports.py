"""Sum JUnit XML reports into one closing line: `total: N passed, N failed, N skipped`."""

import sys
import xml.etree.ElementTree as ET


def counts(path: str) -> tuple[int, int, int]:
    # Count test cases, not suite attributes: node's reporter writes cases with no suite.
    tests = failed = skipped = 0
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314
        tests += 1
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
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
