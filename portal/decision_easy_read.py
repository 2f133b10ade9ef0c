"""The decision in Easy Read: short sentences, one idea each, for the status page, the email and the letter.

One list of sentences for the three, so they cannot drift; each may carry the name of a picture from
static/images/easy-read/ (the page shows it beside the words, as the question pages do; the email and the
letter do not). Worded in the current locale: call inside ``force_locale`` for an email or a letter.

The person reads "you"; a carer (an account acting for someone else) reads the person's name, as the
questions do. English sentences are at most 15 words (tests/practitioner/test_decision_easy_read.py).

A tool whose eligibility is the ICB's decision (NHS Continuing Healthcare, children's Continuing Care) says the NHS
decided, by the NHS's rules, and that the person tells the NHS if they think it wrong (``icb``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup

from portal.formatting import fill, format_money, ltr_money
from portal.questionnaire import Voice


@dataclass(frozen=True)
class Line:
    """One Easy Read sentence, and the picture that goes with it (None: no picture)."""

    sentence: str | Markup
    picture: str | None = None


def decision_lines(
    *,
    weekly_pence: int | None,
    changed: bool,
    voice: Voice,
    name: str,
    html: bool = True,
    icb: bool = False,
    aftercare: bool = False,
) -> list[Line]:
    """The decision in Easy Read. ``html``: amounts isolated for right-to-left pages; else plain text. ``icb``: the
    NHS decided (the ICB), not the council. ``aftercare``: Section 117 aftercare, free to the person."""
    carer = voice == Voice.CARER and bool(name)

    def say(template: str, **values: object) -> str | Markup:
        translated = str(gettext(template))
        if html:
            return fill(translated, **values)
        return translated % values if values else translated

    lines: list[Line] = []
    if weekly_pence is not None:
        amount = ltr_money(weekly_pence) if html else format_money(weekly_pence)
        if carer:
            decided = (
                say("The NHS has decided how much money %(name)s will get.", name=name)
                if icb
                else say("The council has decided how much money %(name)s will get.", name=name)
            )
            lines += [
                Line(decided, "money"),
                Line(say("%(name)s will get %(amount)s each week.", name=name, amount=amount)),
                Line(say("The money pays for help %(name)s needs.", name=name)),
            ]
        else:
            decided = (
                say("The NHS has decided how much money you will get.")
                if icb
                else say("The council has decided how much money you will get.")
            )
            lines += [
                Line(decided, "money"),
                Line(say("You will get %(amount)s each week.", amount=amount)),
                Line(say("The money pays for help you need.")),
            ]
        if aftercare:
            lines += [
                Line(say("This is aftercare after a stay in hospital under the Mental Health Act.")),
                Line(
                    say("%(name)s does not pay for it.", name=name)
                    if carer
                    else say("You do not pay for it.")
                ),
            ]
    elif icb:
        if carer:
            lines += [
                Line(say("The NHS has decided about care for %(name)s.", name=name)),
                Line(say("%(name)s will not get money for care from the NHS.", name=name), "money"),
                Line(say("This is because the needs of %(name)s do not meet the NHS rules.", name=name)),
            ]
        else:
            lines += [
                Line(say("The NHS has decided about your care.")),
                Line(say("You will not get money for care from the NHS."), "money"),
                Line(say("This is because your needs do not meet the NHS rules.")),
            ]
        lines += [
            Line(say("The NHS or the council can tell you about other help."), "heart"),
            Line(say("If things get harder, you can ask for a new assessment.")),
        ]
    else:
        if carer:
            lines += [
                Line(say("The council has decided about care for %(name)s.", name=name)),
                Line(say("%(name)s will not get money for care from the council.", name=name), "money"),
                Line(say("This is because the needs of %(name)s do not meet the rules.", name=name)),
            ]
        else:
            lines += [
                Line(say("The council has decided about your care.")),
                Line(say("You will not get money for care from the council."), "money"),
                Line(say("This is because your needs do not meet the rules.")),
            ]
        lines += [
            Line(say("The council can tell you about other help."), "heart"),
            Line(say("If things get harder, you can ask for a new assessment.")),
        ]
    if changed:
        lines += [Line(say("The assessor changed some answers.")), Line(say("You can read the reasons."))]
    lines += [
        Line(say("Do you think the decision is wrong?"), "speech"),
        Line(say("Tell the NHS.") if icb else say("Tell the council.")),
        Line(say("They will look at it again.")),
    ]
    return lines
