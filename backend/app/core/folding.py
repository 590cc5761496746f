"""The one text-folding rule of search: what a task's text and a query are compared as.

Unicode compatibility normalization and full case folding (NFKC, casefold, NFKC again, as
Unicode's "compatibility caseless match" does it): "Straße" and "STRASSE" fold alike, as do
"ΟΔΟΣ" and "οδος" (final sigma), "İstanbul" typed either way, and ligatures or full-width
letters and their plain spelling. Python applies it, and only Python: the API writes each
task's folded text itself (task.search_text) and folds the query the same way, on both
databases (issue 19: PostgreSQL's lower() and Python's lower() disagreed).
"""

import unicodedata

# A folded text over this many bytes is not stored (task.search_text stays null): it sits in
# an index entry with the user id, and an entry holds at most 2704 bytes (migration 0008).
SEARCH_TEXT_MAX_BYTES = 1500


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def search_text(title: str, description: str | None) -> str | None:
    """What a task's search compares, folded; None when too long to keep."""
    folded = fold(f"{title} {description or ''}")
    return folded if len(folded.encode()) <= SEARCH_TEXT_MAX_BYTES else None
