"""
Receipts (docs/receipts.md): the code a voter keeps for their ballot, and the tracker it publishes.

A receipt is derived, never stored: an HMAC of the voter's cookie id and the question, under the
site's SECRET_KEY, written as 20 characters of Crockford's base32 in groups of four. The same browser
sees the same receipt on every visit and every app server, and a change of vote keeps it. The
database keeps only the tracker, the SHA-256 of the receipt exactly as shown, which cannot be turned
back into a receipt: a leaked database or ballot list gives no one a receipt that works.
"""

import hashlib
import re

from django.conf import settings
from django.utils.crypto import salted_hmac

# Crockford's base32: digits and capitals without I, L, O and U, which read as 1, 1, 0 and V.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP, GROUPS = 4, 5  # 20 characters: 100 bits, read and typed in fives of four
LENGTH = GROUP * GROUPS
# A salt of its own, so no other HMAC of this site can stand in for a receipt.
SALT = "polls.receipts"
# What a person may type for a character: lower case, and the letters Crockford reads as digits.
_TYPED = str.maketrans("OoIiLl", "001111")
_SEPARATORS = re.compile(r"[\s\-]+")
# \A and \Z, not ^ and $: Python's $ (SQLite's REGEXP) also matches before a final newline.
TRACKER_PATTERN = r"\A[0-9a-f]{64}\Z"


def receipt_code(voter, question_id, *, secret=None):
    """The receipt of `voter`'s ballot on the question, as shown: "K7QM-2XWD-9RTF-PH4C-…"."""
    digest = salted_hmac(SALT, f"{voter}:{question_id}", secret=secret, algorithm="sha256").digest()
    number = int.from_bytes(digest[: (LENGTH * 5 + 7) // 8])
    characters = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))
    return "-".join(characters[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def tracker(code):
    """The tracker the ballot list shows for a receipt: `printf %s CODE | sha256sum`."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def ballot_tracker(voter, question_id):
    """The tracker a new ballot is written with (under the current SECRET_KEY)."""
    return tracker(receipt_code(voter, question_id))


def receipt_for(voter, question_id, stored_tracker):
    """
    The receipt of a ballot whose row holds `stored_tracker`, or None if no key of this site makes it.

    Made under SECRET_KEY, or under a key of SECRET_KEY_FALLBACKS for a ballot cast before the key
    was rotated: the receipt shown must be the one the ballot list holds, or the voter would find
    their ballot missing.
    """
    if stored_tracker is None or voter is None:
        return None
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        code = receipt_code(voter, question_id, secret=secret)
        if tracker(code) == stored_tracker:
            return code
    return None


def normalized(typed):
    """The receipt a person typed or pasted, as shown (grouped capitals); None if it cannot be one."""
    characters = _SEPARATORS.sub("", typed).translate(_TYPED).upper()
    if len(characters) != LENGTH or any(character not in ALPHABET for character in characters):
        return None
    return "-".join(characters[i : i + GROUP] for i in range(0, LENGTH, GROUP))
