"""
What editors' text looks like (issue 21): the rules by which two choices are the same, or empty.

Unicode lets different strings look alike: `á` precomposed or as `a` and a combining accent, a
zero-width space inside or instead of a word, a right-to-left override that shows `seY` as `Yes`.
Two such choices would split the votes of one answer, and an empty-looking one offers nothing.

Caught: compatibility forms (NFKC), format characters (Unicode category Cf: zero-width ones and
bidirectional controls), case and spacing, and a word that mixes Latin, Greek and Cyrillic letters
(`Yes` with a Cyrillic `e`, U+0435). Not caught: a whole word in one script that looks like a word
in another (`Pop` in Cyrillic letters, U+0420 U+043E U+0440, beside the Latin one); that would need
Unicode's confusables table.
"""

import unicodedata

# Bidirectional embeddings, overrides, isolates and marks: they reorder what is shown.
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Scripts whose letters stand in for one another.
LOOKALIKE_SCRIPTS = {"LATIN", "GREEK", "CYRILLIC"}


def shown(text):
    """`text` as it is saved and shown: without bidirectional controls, trimmed."""
    return text.translate(BIDI_CONTROLS).strip()


def comparable(text):
    """What `text` looks like, as a key: two texts that look the same have the same key."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return " ".join(text.split()).casefold()


def mixed_script_word(text):
    """The first word of `text` that mixes Latin, Greek and Cyrillic letters, or None."""
    for word in comparable(text).split():
        scripts = {unicodedata.name(char, "").split(" ")[0] for char in word if char.isalpha()}
        if len(scripts & LOOKALIKE_SCRIPTS) > 1:
            return word
    return None
