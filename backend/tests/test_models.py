"""The request schemas' rules: what counts as a visible character, defined by Unicode's
tables and checked against them code point by code point."""

import re
import sys
import unicodedata

import pytest

from app.models import INVISIBLE_RANGES, NO_NUL_PATTERN, TITLE_PATTERN, TaskCreate

INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt), which Python's
# unicodedata does not expose; reserved code points included, as Unicode lists them.
DEFAULT_IGNORABLE = [
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
]
BRAILLE_BLANK = 0x2800
SURROGATES = range(0xD800, 0xE000)  # never in a str that came from JSON


ALL_CHARACTERS = [chr(code) for code in range(sys.maxunicode + 1) if code not in SURROGATES]
LISTED = {chr(code) for low, high in INVISIBLE_RANGES for code in range(low, high + 1)}
IGNORABLE = {chr(code) for low, high in DEFAULT_IGNORABLE for code in range(low, high + 1)}


def invisible(char: str) -> bool:
    return (
        unicodedata.category(char) in INVISIBLE_CATEGORIES
        or char in IGNORABLE
        or char == chr(BRAILLE_BLANK)
    )


def test_the_invisible_ranges_are_unicodes() -> None:
    for char in ALL_CHARACTERS:
        if unicodedata.category(char) == "Cn" and not invisible(char):
            # Unassigned in this Python's tables: the list may hold characters of a newer
            # Unicode version (format controls), and a new character counts as visible.
            continue
        assert (char in LISTED) == invisible(char), f"U+{ord(char):04X}"


def test_the_title_pattern_finds_exactly_the_visible_characters() -> None:
    no_nul = "[^\\u0000]*"
    one_visible = TITLE_PATTERN.removeprefix(f"^{no_nul}").removesuffix(f"{no_nul}$")
    assert f"^{no_nul}{one_visible}{no_nul}$" == TITLE_PATTERN
    visible = re.compile(one_visible)
    assert set(visible.findall("".join(ALL_CHARACTERS))) == set(ALL_CHARACTERS) - LISTED
    title = re.compile(TITLE_PATTERN)
    for char in ("x", "\U0001fae8", "\ue000", "\u0301"):
        assert title.search(f" \u200b{char}\t")
    for char in (" ", "\u200b", "\U000e0041"):
        assert title.search(f" \u200b{char}\t") is None


@pytest.mark.parametrize("text", ["x\x00", "\x00x", "a\x00b", "\x00"])
def test_no_nul_anywhere(text: str) -> None:
    assert re.search(TITLE_PATTERN, text) is None
    assert re.search(NO_NUL_PATTERN, text) is None


def test_whitespace_is_invisible() -> None:
    # Trimming (str.strip) can then never leave a title without a visible character.
    assert all(char in LISTED for char in ALL_CHARACTERS if char.isspace())


def test_a_title_is_stored_trimmed() -> None:
    assert TaskCreate(title="\t Buy milk \u3000\n").title == "Buy milk"
