"""The Section 117 aftercare determination on the Needs Profile (a tool whose manifest says
``eligibility_test: section_117``).

Section 117 aftercare is not decided by the Care Act eligibility criteria. The practitioner records which needs
arise from, or relate to, the person's mental disorder, and whether aftercare for them reduces the risk of the
condition getting worse and of going back into hospital; :func:`portal.case_record.eligible_areas` decides from
that record what aftercare meets. The form and the record's shape live here; the rule does not.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal import vocabulary
from portal.case_record import AFTERCARE_KEYS, SECTION_117
from portal.engine import AREAS
from portal.forms import CheckboxesInput, Form, RadioInput, SubmitInput, TextArea

_LIMIT = Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer"))


def aftercare_choices() -> list[tuple[str, Any]]:
    """Every area of need, then support at night, named as the staff pages name them."""
    return [
        *((area, vocabulary.AREA_NAMES[area]) for area in AREAS),
        ("night", lazy_gettext("support at night")),
    ]


class AftercareForm(Form):
    """The practitioner-only parts of the Needs Profile, with the Section 117 aftercare determination."""

    arising = SelectMultipleField(
        lazy_gettext("Which needs arise from, or relate to, the person's mental disorder?"),
        widget=CheckboxesInput(),
        choices=aftercare_choices(),
        description=lazy_gettext(
            "Aftercare meets these needs. Leave out needs that have another cause: the council or the NHS may "
            "meet them in another way."
        ),
    )
    reduces_risk = RadioField(
        lazy_gettext(
            "Would aftercare for these needs reduce the risk of the person's mental condition getting worse, and "
            "of them going back into hospital?"
        ),
        widget=RadioInput(),
        choices=[("yes", lazy_gettext("Yes")), ("no", lazy_gettext("No"))],
        validators=[InputRequired(message=lazy_gettext("Select yes or no"))],
    )
    risks = TextAreaField(lazy_gettext("Risks"), widget=TextArea(), validators=[_LIMIT])
    clinical_risk = TextAreaField(lazy_gettext("Clinical risk"), widget=TextArea(), validators=[_LIMIT])
    decision_making = TextAreaField(lazy_gettext("Decision making"), widget=TextArea(), validators=[_LIMIT])
    version = StringField(widget=None)
    submit = SubmitField(lazy_gettext("Save the Needs Profile"), widget=SubmitInput())


def aftercare_form(items: dict[str, Any], version: int) -> AftercareForm:
    """The form, filled with what the practitioner recorded before (on a GET; a POST reads the request)."""
    eligibility = items.get("eligibility") or {}
    mine = eligibility.get("test") == SECTION_117
    return AftercareForm(
        data={
            "arising": eligibility.get("arising", []) if mine else [],
            "reduces_risk": eligibility.get("reduces_risk") if mine else None,
            "risks": items.get("risks", ""),
            "clinical_risk": items.get("clinical_risk", ""),
            "decision_making": items.get("decision_making", ""),
            "version": str(version),
        }
    )


def aftercare_items(form: AftercareForm) -> dict[str, Any]:
    """The practitioner's items as recorded: the determination names the test it applied."""
    chosen = [key for key in AFTERCARE_KEYS if key in (form.arising.data or [])]
    return {
        "eligibility": {"test": SECTION_117, "arising": chosen, "reduces_risk": form.reduces_risk.data},
        "risks": form.risks.data or "",
        "clinical_risk": form.clinical_risk.data or "",
        "decision_making": form.decision_making.data or "",
    }
