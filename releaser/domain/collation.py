"""A sort key that orders text as JavaScript's `a.localeCompare(b)` does (ICU root collation).

Release Please sorts a section's entries by scope and subject with `localeCompare`. Python's
standard library has no ICU, and the pure-Python UCA library (pyuca) takes about 0.4 s to load
its table, more than a whole plan of 20,000 commits may cost; so this is an approximation:

- ASCII text gets ICU root's order: whitespace, then punctuation and symbols in the root order
  (` _-,;:!?.'"()[]{}@*/\\&#%`^+<=>|~$`), then digits (not numerically: "10" < "2"), then
  letters, compared without case first (`Add IDLE` after ``Add `mode` ``); only on a tie does
  case decide, lower case first. Control characters are ignored.
- Other text: accents (canonical decomposition) are a secondary difference, case a tertiary
  one; other punctuation and symbols sort after ASCII ones, other digits with the digits by
  value, and letters of other scripts after Latin in code point order. ICU differs in places
  (expansions such as `æ`, the order among non-ASCII symbols).

A key is three strings compared in turn (primary, secondary, tertiary), as the UCA levels are.
"""

from __future__ import annotations

import unicodedata

_WHITESPACE = "\t\n\x0b\x0c\r "
_PUNCTUATION = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_WS_BASE = 0x100
_OTHER_WS = 0x110
_PUNCT_BASE = 0x200
_OTHER_PUNCT = 0x260  # after ASCII punctuation and symbols
_OTHER_SYMBOL = 0x270
_DIGIT_BASE = 0x300
_LETTER_BASE = 0x400  # a-z
_OTHER_LETTER = 0x500  # plus the code point
_BASE_SECONDARY = "\x01"
_LOWER, _UPPER, _EXPANDED = "\x01", "\x02", "\x03"

# ASCII in one str.translate per level: every printable character has one primary weight.
_PRIMARY: dict[int, str | None] = {c: None for c in range(0x80)}  # controls: ignorable
_TERTIARY: dict[int, str | None] = {c: None for c in range(0x80)}
for _i, _c in enumerate(_WHITESPACE):
    _PRIMARY[ord(_c)] = chr(_WS_BASE + _i)
for _i, _c in enumerate(_PUNCTUATION):
    _PRIMARY[ord(_c)] = chr(_PUNCT_BASE + _i)
for _i in range(10):
    _PRIMARY[ord("0") + _i] = chr(_DIGIT_BASE + _i)
for _i in range(26):
    _PRIMARY[ord("a") + _i] = _PRIMARY[ord("A") + _i] = chr(_LETTER_BASE + _i)
for _code, _w in _PRIMARY.items():
    if _w is not None:
        _TERTIARY[_code] = _UPPER if 0x41 <= _code <= 0x5A else _LOWER
# Latin letters with no canonical decomposition that ICU sorts with (or as) ASCII ones.
_LATIN = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i"}


def sort_key(text: str) -> tuple[str, str, str]:
    """(primary, secondary, tertiary) weights of `text`; compare keys, not texts."""
    if text.isascii():
        primary = text.translate(_PRIMARY)
        return primary, _BASE_SECONDARY * len(primary), text.translate(_TERTIARY)
    return _general_key(text)


def _general_key(text: str) -> tuple[str, str, str]:
    primary: list[str] = []
    secondary: list[str] = []
    tertiary: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if char.isascii():
            weight = _PRIMARY[ord(char)]
            if weight is not None:
                primary.append(weight)
                secondary.append(_BASE_SECONDARY)
                tertiary.append(_TERTIARY[ord(char)] or _LOWER)
            continue
        if unicodedata.combining(char):
            if secondary:
                secondary.append(char)  # an accent: a secondary difference on its base
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        case = _UPPER if char != char.lower() else _LOWER
        lower = char.lower()
        if lower in _LATIN:
            weights = [_PRIMARY[ord(c)] or "" for c in _LATIN[lower]]
            tie = _UPPER if case == _UPPER else _EXPANDED  # `Straße` after `Strasse`
        elif category[0] == "Z":
            weights, tie = [chr(_OTHER_WS)], _LOWER
        elif category[0] == "P":
            weights, tie = [chr(_OTHER_PUNCT)], char
        elif category == "Nd":
            weights, tie = [chr(_DIGIT_BASE + unicodedata.decimal(char))], char
        elif category[0] == "L":
            folded = char.casefold()
            weights = [chr(min(_OTHER_LETTER + ord(c), 0x10FFFF)) for c in folded]
            tie = case
        else:
            weights, tie = [chr(_OTHER_SYMBOL)], char
        for weight in weights:
            primary.append(weight)
            secondary.append(_BASE_SECONDARY)
            tertiary.append(tie)
    return "".join(primary), "".join(secondary), "".join(tertiary)
