"""Asking for a decision to be looked at again, in Easy Read: short sentences, one idea each, for the person's pages
(the decision's "If you disagree", the form, and the request's own status page, which is the confirmation).

Each sentence may carry a picture from static/images/easy-read/, as the decision's Easy Read does
(:mod:`portal.decision_easy_read`, whose :class:`Line` these are). Worded in the current locale. The person reads
"you"; a carer reads the person's name. English sentences are at most 15 words, with at most one joining word
(tests/practitioner/test_asking_again_easy_read.py). The form's own labels in Easy Read are here too.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from portal.decision_easy_read import Line
from portal.formatting import fill, ltr_money
from portal.questionnaire import Voice


def _say(template: str, **values: object) -> str | Markup:
    translated = str(gettext(template))
    return fill(translated, **values) if values else translated


def _keeps(*, carer: bool, name: str, lowered: bool, weekly_pence: int | None) -> list[Line]:
    """What stays in place while the decision is looked at again."""
    lines: list[Line] = []
    if lowered:
        lines.append(
            Line(_say("The decision gave %(name)s less money.", name=name), "money")
            if carer
            else Line(_say("The decision gave you less money."), "money")
        )
    picture = None if lowered else "money"
    if weekly_pence is not None:
        amount = ltr_money(weekly_pence)
        lines.append(
            Line(_say("%(name)s keeps getting %(amount)s each week.", name=name, amount=amount), picture)
            if carer
            else Line(_say("You keep getting %(amount)s each week.", amount=amount), picture)
        )
    elif lowered:
        lines.append(
            Line(_say("%(name)s keeps the money they had before.", name=name))
            if carer
            else Line(_say("You keep the money you had before."))
        )
    if lines:
        lines.append(Line(_say("This lasts until the new decision.")))
    return lines


def start_lines(
    *, voice: Voice, name: str, lowered: bool = False, weekly_pence: int | None = None
) -> list[Line]:
    """Beside the way to ask, on the decision's page: what asking again means. ``weekly_pence``: the budget kept
    meanwhile (the one before, when the decision ``lowered`` it), None when there is none to say."""
    carer = voice == Voice.CARER and bool(name)
    return [
        Line(_say("You can ask the council to look at the decision again."), "speech"),
        Line(_say("Someone new will look at it.")),
        Line(_say("They did not make the first decision.")),
        *_keeps(carer=carer, name=name, lowered=lowered, weekly_pence=weekly_pence),
    ]


def form_lines() -> list[Line]:
    """At the top of the form, after :func:`start_lines`: what to put in it."""
    return [
        Line(_say("Tell the council why the decision is wrong.")),
        Line(_say("You can add letters or photos.")),
        Line(_say("A letter from a doctor can help.")),
        Line(_say("The first decision is kept.")),
    ]


def request_lines(
    *,
    outcome: str,
    open_: bool,
    voice: Voice,
    name: str,
    lowered: bool = False,
    weekly_pence: int | None = None,
) -> list[Line]:
    """On the request's status page: that it was sent and what happens next (``open_``), or how it ended
    (``outcome``: changed or upheld)."""
    carer = voice == Voice.CARER and bool(name)
    if open_:
        return [
            Line(_say("You asked the council to look at the decision again."), "speech"),
            Line(_say("Someone new will look at it.")),
            Line(_say("They did not make the first decision.")),
            *_keeps(carer=carer, name=name, lowered=lowered, weekly_pence=weekly_pence),
            Line(_say("The council will tell you the new decision.")),
            Line(_say("They will say why.")),
        ]
    if outcome == "changed":
        return [
            Line(_say("The council looked at the decision again.")),
            Line(_say("They changed the decision.")),
            Line(_say("The new decision is below.")),
        ]
    if outcome == "upheld":
        return [
            Line(_say("The council looked at the decision again.")),
            Line(_say("They kept the decision the same.")),
            Line(_say("The reasons are below.")),
        ]
    return []


def reword_form(form: Any) -> None:
    """The form's labels and hints in Easy Read (the page's language)."""
    form.reason.label.text = gettext("Why is the decision wrong?")
    form.reason.description = gettext("Say what the council missed or got wrong.")
    form.considered.label.text = gettext("What else should the council know? (optional)")
    form.considered.description = gettext("For example, what a usual day is like.")
    form.evidence.label.text = gettext("Add letters or photos (optional)")
    form.evidence.description = gettext(
        "Use PDF, PNG or JPEG files. You can add up to 5 files. Each file must be 5 MB or smaller."
    )
