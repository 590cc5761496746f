"""The one folding rule of search."""

import pytest

from app.core.folding import SEARCH_TEXT_MAX_BYTES, fold, search_text


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("İstanbul", "i̇stanbul"),
        ("ΟΔΟΣ", "οδος"),
        ("Straße", "STRASSE"),
        ("ﬁle", "FILE"),  # a ligature
        ("\uff34\uff4f\uff44\uff4f", "todo"),  # full-width letters
        ("Å", "å"),  # the angstrom sign and the letter
        ("e\u0301", "É"),  # decomposed and composed
    ],
)
def test_spellings_of_one_text_fold_alike(one: str, other: str) -> None:
    assert fold(one) == fold(other)


def test_folding_twice_changes_nothing() -> None:
    for text in ("İstanbul", "ΟΔΟΣ", "Straße", "ﬁ", "\u1e9e", "ǅ"):
        assert fold(fold(text)) == fold(text)


def test_a_search_text_too_long_to_keep_is_none() -> None:
    assert search_text("Title", "Body") == "title body"
    assert search_text("t", None) == "t "
    assert search_text("t", "é" * SEARCH_TEXT_MAX_BYTES) is None
