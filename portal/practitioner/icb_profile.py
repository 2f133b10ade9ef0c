"""The Needs Profile of a tool whose eligibility is the ICB's decision (``eligibility_test: icb_decision``: NHS
Continuing Healthcare, children's Continuing Care).

The ICB decides eligibility, and the portal records its decision (:mod:`portal.chc`); the Needs Profile never
offers the Care Act outcomes for it. :func:`portal.case_record.determination` reads the recorded decision; here are
only the practitioner's other items (the risks) and the words the page shows about the decision.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext, lazy_gettext
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal import case_record, tool_service
from portal.forms import Form, SubmitInput, TextArea
from portal.i18n.schema_text import Words
from portal.models import Case
from portal.questionnaire import Voice


class IcbProfileForm(Form):
    """The practitioner-only parts of the Needs Profile, without an eligibility determination of its own."""

    risks = TextAreaField(
        lazy_gettext("Risks"),
        widget=TextArea(),
        validators=[Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))],
    )
    version = StringField(widget=None)
    submit = SubmitField(lazy_gettext("Save the Needs Profile"), widget=SubmitInput())


def icb_form(items: dict[str, Any], version: int) -> IcbProfileForm:
    """The form, filled with what the practitioner recorded before (on a GET; a POST reads the request)."""
    return IcbProfileForm(data={"risks": items.get("risks", ""), "version": str(version)})


def icb_items(form: IcbProfileForm, items: dict[str, Any]) -> dict[str, Any]:
    """The practitioner's items as recorded: the risks, and no eligibility (the ICB's decision is elsewhere)."""
    kept = {key: value for key, value in items.items() if key != "eligibility"}
    return {**kept, "risks": form.risks.data or ""}


def decision_words(case: Case) -> str:
    """What the page says about the ICB's decision: awaited, or the tool's own words for it."""
    decision = case_record.icb_decision(case)
    if decision is None:
        words = gettext(
            "The ICB has not recorded its eligibility decision yet. The budget cannot be confirmed until it is."
        )
    elif decision.eligible:
        words = gettext(
            "The ICB decided the person is eligible: the budget meets their needs in every area as assessed."
        )
    else:
        tool = tool_service.of(case)
        # Staff read about the person by name: the tool's carer wording, as the rest of the staff pages.
        about = Words(voice=Voice.CARER, name=case.person.name, domain=tool.domain)
        words = tool_service.text_of(tool, "eligibility.not_met", about) or gettext(
            "The ICB decided the person is not eligible."
        )
    return str(words)
