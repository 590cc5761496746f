"""The sections of docs/benchmarks.md that a benchmark run on its own (bench/data_io.py,
bench/streams.py) writes between its markers, and that report.py's rewrite keeps."""

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
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
