"""What makes a password acceptable, following the NCSC's password guidance.

The NCSC advises against complexity rules (they make passwords harder to remember, not to guess) and for a
minimum length plus a block on passwords that are common or known from breaches. Both checks run offline:

- at least ``MIN_LENGTH`` characters (and at most ``MAX_LENGTH``, so hashing stays cheap);
- zxcvbn (pinned in pyproject.toml), which ships lists of the passwords most used in public breaches,
  common words and names, and recognises repeats (``aaaaaaaaaa``), sequences and keyboard runs, dates and
  common substitutions (``Password1!``). A password it expects to fall within 10^8 guesses (score < 3) is
  refused; so is one built from the person's own name or email address.

The messages say what to do, not what is forbidden; a few unrelated words together always pass.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 200
#: zxcvbn's "safely unguessable" score: about 10^8 guesses or more.
MIN_SCORE = 3
_CHECKED_LENGTH = 100  # zxcvbn is slow on very long input; a passphrase this long needs no estimate


def problem(password: str, personal: Iterable[str] = ()) -> str | None:
    """Why ``password`` cannot be used (a message for the person), or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return _("Your password must be %(num)d characters or more", num=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Your password must be %(num)d characters or fewer", num=MAX_LENGTH)
    if len(password) > _CHECKED_LENGTH:
        return None
    words = sorted({part for value in personal if value for part in _parts(value)}, key=len, reverse=True)
    remainder = password.lower()
    for word in words:
        remainder = remainder.replace(word, "")
    if remainder != password.lower() and zxcvbn(remainder or "a")["score"] < MIN_SCORE:
        # Take away the person's own name or email and little is left to guess.
        return _("Your password must not contain your name or email address. Choose something else")
    result = zxcvbn(password, user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    patterns = {match["pattern"] for match in result["sequence"]}
    dictionaries = {match.get("dictionary_name") for match in result["sequence"]}
    if "user_inputs" in dictionaries:
        return _("Your password must not contain your name or email address. Choose something else")
    if patterns <= {"repeat", "sequence", "spatial"} or patterns & {"repeat"} and len(patterns) == 1:
        return _(
            "Your password is a repeat or a run of characters (like aaaa, abcd or qwerty). "
            "Try 3 or more unrelated words together"
        )
    if "passwords" in dictionaries:
        return _(
            "Your password is one of the most common, or has appeared in a data breach. "
            "Try 3 or more unrelated words together"
        )
    return _("Your password would be easy to guess. Try 3 or more unrelated words together")


def _(message: str, **values: object) -> str:
    """A translated message (flask_babel is untyped)."""
    return str(gettext(message, **values))


def _parts(value: str) -> list[str]:
    """A name or email address as the pieces a person might build a password from."""
    value = value.lower()
    pieces = [value]
    local, _, domain = value.partition("@")
    pieces += [local, *domain.split(".")[:1]]
    pieces += value.replace("@", " ").replace(".", " ").split()
    return [piece for piece in pieces if len(piece) >= 3]
