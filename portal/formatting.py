"""Money, numbers and dates in the person's locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_percent
from flask_babel import format_currency, format_date, get_locale
from jinja2 import pass_context
from markupsafe import Markup, escape


def _pound_sign(text: str) -> str:
    # Some locales (Polish among them) have no symbol for pounds and would show the English code "GBP".
    return text.replace("GBP", "£")


def format_money(pence: int | None) -> str:
    """Whole pence as pounds in the current locale, e.g. ``£1,234.50``."""
    if pence is None:
        return ""
    return _pound_sign(str(format_currency(Decimal(pence) / 100, "GBP")))


def format_whole_money(pounds: Decimal) -> str:
    """Whole pounds in the current locale without pence, e.g. ``£490`` (for rounded summary amounts)."""
    # The locale's own currency pattern (the sign before or after), without its decimal places.
    pattern = get_locale().currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return _pound_sign(str(format_currency(pounds, "GBP", format=pattern, currency_digits=False)))


def format_share(percent: Decimal | str | int, *, whole: bool = False) -> str:
    """A share of a funding split (a percentage, 0 to 100) in the current locale's number format: the one
    formatter for every split percentage.

    A split that was agreed (a partnership's pooled split, a split agreed for one person) is shown as agreed, to
    the two decimal places it is recorded with, trailing zeros dropped: ``57.5%`` for 57.50, never ``58%``;
    ``57,5%`` in Polish. ``whole``: a share that is only what each funder's lines come to, in whole percent for
    plain reading (``52%``; the exact amounts are shown beside it).
    """
    value = Decimal(str(percent)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if whole:
        return str(format_percent(value / 100, locale=get_locale()))
    return str(format_percent(value / 100, locale=get_locale(), decimal_quantization=False))


def ltr_share(percent: Decimal | str | int, *, whole: bool = False) -> Markup:
    """A share of a split isolated for right-to-left text (the ``share`` filter of the templates)."""
    return ltr(format_share(percent, whole=whole))


def format_day(value: date | datetime | None) -> str:
    """A date in the long form for the current locale, e.g. ``23 November 2026``."""
    if value is None:
        return ""
    return str(format_date(value, format="long"))


def ltr(value: object) -> Markup:
    """Isolate a left-to-right value (an amount, a percentage, a reference, a postcode) from the text around it.

    In a right-to-left page the bidirectional algorithm would otherwise move "£" and "%" to the wrong side of
    the digits. The one filter every template and PDF uses for such values (``{{ x | ltr }}``).
    """
    return Markup('<bdi dir="ltr">%s</bdi>') % escape(value)


# Characters that change the direction of the text after them: embeddings and overrides (closed by PDF),
# and isolates (closed by PDI).
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_EMBEDDINGS = frozenset("\u202a\u202b\u202c\u202d\u202e")
_INITIATORS = frozenset("\u2066\u2067\u2068")
_FSI, _PDI = "\u2068", "\u2069"


def isolate_bidi(value: object) -> object:
    """Keep a typed value's direction controls inside it.

    A name such as ``"Alex \\u202egnp.exe"`` would otherwise reverse the text after it on the page ("Trojan
    Source"). A text with an embedding or override outside any isolate, or with unbalanced isolates, is
    balanced (a stray POP DIRECTIONAL ISOLATE dropped, open isolates closed) and wrapped in FIRST STRONG
    ISOLATE … POP DIRECTIONAL ISOLATE, which ends everything opened inside it. Plain characters, so it works in
    a title or an attribute too; ordinary text (right-to-left letters included) passes as it is.

    Used as Jinja's ``finalize`` (every ``{{ … }}``) and on every value put into a translated sentence.
    """
    if not isinstance(value, str) or not _BIDI_CONTROLS.search(value):
        return value
    kept: list[str] = []
    depth = 0
    loose = False
    for char in value:
        if char in _INITIATORS:
            depth += 1
        elif char == _PDI:
            if depth == 0:
                loose = True
                continue  # it would close an isolate around this value
            depth -= 1
        elif depth == 0 and char in _EMBEDDINGS:
            loose = True
        kept.append(char)
    if depth:
        kept.append(_PDI * depth)
        loose = True
    if not loose:
        return value
    wrapped = _FSI + "".join(kept) + _PDI
    return Markup(wrapped) if isinstance(value, Markup) else wrapped  # noqa: S704 - already safe markup, controls only moved


def isolate_gettext_values(env: Any) -> None:
    """Isolate every value put into a translated sentence in templates (``_``, ``gettext``, ``ngettext``…)."""
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        original = env.globals.get(name)
        if original is None:
            continue

        def isolating(__context: Any, *args: Any, __original: Any = original, **variables: Any) -> Any:
            return __original(__context, *args, **{key: isolate_bidi(v) for key, v in variables.items()})

        env.globals[name] = pass_context(isolating)


def ltr_money(pence: int | None) -> Markup:
    """An amount isolated for right-to-left text: ``<bdi dir="ltr">£1,234.50</bdi>``."""
    return ltr(format_money(pence))


def fill(template: str, **values: object) -> Markup:
    """Put values into an already translated sentence, escaping it and them, keeping ``ltr`` values isolated.

    Call with the catalogue's template, e.g. ``fill(gettext("%(amount)s a week"), amount=ltr_money(p))``:
    gettext without values returns the translated template with its placeholders, and the sentence stays
    safe HTML with each amount in its own ``<bdi>``.
    """
    return escape(template) % values  # escape() gives Markup: each value is escaped unless it is Markup
