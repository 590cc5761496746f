"""The sections of docs/benchmarks.md that a benchmark run on its own (bench/data_io.py,
bench/streams.py) writes between its markers, and that report.py's rewrite keeps."""

import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
RESULTS = Path(__file__).resolve().parent / "results"
# The name of each such section, as its markers spell it.
OWN_SECTIONS = ("data-io", "streams")


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def write_section(name: str, section: str) -> None:
    """Puts `section` (its markers included) in place of the one of that name, at the end."""
    start, end = markers(name)
    text = DOCS.read_text()
    if start in text:
        text = text[: text.index(start)] + text[text.index(end) + len(end) + 1 :]
    DOCS.write_text(text.rstrip("\n") + "\n\n" + section)


def publish(name: str, results: dict[str, Any], section: str) -> None:
    """A run's figures to bench/results/<name>.json (dashes as underscores), its section (with
    its markers) into docs/benchmarks.md, and on the screen."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name.replace('-', '_')}.json").write_text(json.dumps(results, indent=2))
    write_section(name, section)
    print(section)
