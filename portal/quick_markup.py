"""The GOV.UK radios and buttons of a question page, written out directly instead of through the macros.

Why: on a question page the GOV.UK Frontend macros (through govuk-frontend-wtf) were the largest single cost of
the request (bench/load.py, issue 18). This renders byte for byte the HTML the macros give for the shapes a
question page uses (radios in a fieldset whose legend is the page heading, option hints, an error message; a
submit button with a value), and nothing else: tests/test_quick_markup.py renders every single-choice question
of the questionnaire both ways, in each voice, answered and not, with and without an error, and compares them.
Any other shape goes through the macros as before. See docs/decisions for the departure from "macros only".
"""

from __future__ import annotations

from typing import Any

from jinja2.filters import do_indent
from markupsafe import Markup, escape


def _indent(text: str, width: int) -> str:
    """Jinja's ``indent`` filter (every line but the first, blank lines left alone)."""
    return str(do_indent(text, width))


def _hint(hint_id: str, classes: str, text: Any) -> str:
    return (
        f'<div id="{hint_id}" class="govuk-hint{" " + classes if classes else ""}">\n  {escape(text)}\n</div>'
    )


def radios(
    field: Any, *, legend: str, legend_classes: str, items: list[dict[str, Any]], error_prefix: str
) -> Markup:
    """What ``field(params={"fieldset": {"legend": {… "isPageHeading": True}}, "items": items, "idPrefix": …})``
    renders for a RadioField whose widget is :class:`portal.forms.RadioInput` (only the keys used here)."""
    prefix = str(escape(field.id))  # every value written below is escaped, as Jinja's autoescape would
    described: list[str] = []
    inner = ""
    if field.description is not None:
        described.append(f"{prefix}-hint")
        inner += "  " + _indent(_hint(f"{prefix}-hint", "", field.description), 2) + "\n"
    error = field.errors[0] if field.errors else None
    if error:
        described.append(f"{prefix}-error")
        message = (
            f'<p id="{prefix}-error" class="govuk-error-message">\n'
            f'  <span class="govuk-visually-hidden">{escape(error_prefix)}:</span> {escape(error)}\n'
            "</p>"
        )
        inner += "  " + _indent(message, 2) + "\n"
    inner += '  <div class="govuk-radios" data-module="govuk-radios">\n'
    for index, (subfield, extra) in enumerate(zip(field, items, strict=True), start=1):
        item_id = prefix + (f"-{index}" if index > 1 else "")
        hint_text = (extra.get("hint") or {}).get("text")
        if extra.keys() - {"hint"}:
            raise ValueError(f"quick radios take only option hints, not {sorted(extra)}")
        checked = " checked" if getattr(subfield, "checked", subfield.data) else ""
        described_by = f' aria-describedby="{item_id}-item-hint"' if hint_text else ""
        label = (
            f'<label class="govuk-label govuk-radios__label" for="{item_id}">\n'
            f"  {escape(subfield.label.text)}\n</label>"
        )
        inner += (
            '    <div class="govuk-radios__item">\n'
            f'      <input class="govuk-radios__input" id="{item_id}" name="{escape(field.name)}" type="radio" '
            f'value="{escape(subfield._value())}"{checked}{described_by}>\n'
            f"      {_indent(label, 6)}\n"
        )
        if hint_text:
            item_hint = _hint(f"{item_id}-item-hint", "govuk-radios__hint", hint_text)
            inner += f"      {_indent(item_hint, 6)}\n"
        inner += "    </div>\n"
    inner += "  </div>\n"
    fieldset = (
        '<fieldset class="govuk-fieldset"'
        + (f' aria-describedby="{" ".join(described)}"' if described else "")
        + ">\n"
        + f'  <legend class="govuk-fieldset__legend{" " + legend_classes if legend_classes else ""}">\n'
        + f'    <h1 class="govuk-fieldset__heading">\n      {escape(legend)}\n    </h1>\n  </legend>\n  '
        + inner.strip()
        + "\n</fieldset>"
    )
    group = "govuk-form-group" + (" govuk-form-group--error" if error else "")
    return Markup(f'\n<div class="{group}">\n  {_indent(fieldset, 2)}\n</div>\n')  # noqa: S704 - escaped above


def button(field: Any, classes: str = "") -> Markup:
    """What ``field(params={"classes": classes})`` renders for a SubmitField with :class:`portal.forms.SubmitInput`."""
    class_names = "govuk-button" + (f" {classes}" if classes else "")
    return Markup(  # noqa: S704 - the name, id and label are escaped; the classes are ours
        f'<button value="y" type="submit" name="{escape(field.name)}" class="{class_names}" '
        f'data-module="govuk-button" id="{escape(field.id)}">\n  {escape(field.label.text)}\n</button>'
    )
