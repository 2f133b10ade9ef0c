"""The review's forms and words, shared by both front doors and the review's PDF.

The person's own sections are asked in the first person, strengths based, as in the co-produced review form of
seed 004; every section is optional (the person chooses what matters to them). What a review must record is the
practitioner's form; the rules it must meet are :func:`portal.reviews.problems_with`, and each problem code has its
message here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext
from wtforms import Field, RadioField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.forms import DateInput, Form, RadioInput, SubmitInput, TextArea
from portal.reviews import Entry, Sections

#: Whether the plan helps the person meet their outcomes.
PLAN_MEETS_WORDS = {
    "yes": lazy_gettext("Yes"),
    "partly": lazy_gettext("Partly"),
    "no": lazy_gettext("No"),
}
REVIEW_TYPE_WORDS = {
    "first": lazy_gettext("First review after the plan was agreed"),
    "planned": lazy_gettext("Planned review"),
    "requested": lazy_gettext("Asked for by the person or their carer"),
    "unplanned": lazy_gettext("Unplanned: something changed"),
}
CARER_ASSESSMENT_WORDS = {
    "offered": lazy_gettext("Yes, a carer's assessment was offered"),
    "not_offered": lazy_gettext("No, a carer's assessment was not offered"),
    "no_carer": lazy_gettext("There is no unpaid carer"),
}
CAPACITY_WORDS = {
    "has_capacity": lazy_gettext("Considered: the person has capacity to make these decisions"),
    "lacks_capacity": lazy_gettext(
        "Considered: the person lacks capacity for some of these decisions, so they were made in their best interests"
    ),
}
OUTCOME_WORDS = {
    "unchanged": lazy_gettext("The plan and budget stay as they are"),
    "plan_changed": lazy_gettext("The plan changes and the budget stays the same"),
    "budget_changed": lazy_gettext("The plan and the budget change"),
    "new_assessment": lazy_gettext("A new assessment is needed"),
    "ended": lazy_gettext("Support from this plan is no longer needed"),
}
#: The person's sections as headings, in the first person (for the pages and the PDF).
SECTION_HEADINGS = {
    "working": lazy_gettext("What is working well"),
    "worries": lazy_gettext("What I, or others, are worried about"),
    "matters": lazy_gettext("What is important to me"),
    "goals": lazy_gettext("My goals until the next review"),
}
#: A message for each problem :func:`portal.reviews.problems_with` finds, by field and code.
PROBLEM_WORDS = {
    ("held_on", "missing"): lazy_gettext("Enter the date of the review"),
    ("held_on", "future"): lazy_gettext("The date of the review must be today or in the past"),
    ("held_on", "before_start"): lazy_gettext(
        "The date of the review must be on or after the day it started"
    ),
    ("review_type", "missing"): lazy_gettext("Select the type of review"),
    ("took_part", "missing"): lazy_gettext("Enter who took part"),
    ("took_part", "too_long"): lazy_gettext("This must be 4000 characters or fewer"),
    ("carer_assessment", "missing"): lazy_gettext("Select whether a carer's assessment was offered"),
    ("carer_assessment_note", "missing"): lazy_gettext("Enter why a carer's assessment was not offered"),
    ("carer_assessment_note", "too_long"): lazy_gettext("This must be 4000 characters or fewer"),
    ("capacity", "missing"): lazy_gettext("Select how mental capacity was considered"),
    ("capacity_note", "missing"): lazy_gettext(
        "Enter how the decisions were made in the person's best interests"
    ),
    ("capacity_note", "too_long"): lazy_gettext("This must be 4000 characters or fewer"),
    ("outcome", "missing"): lazy_gettext("Select the outcome of the review"),
    ("next_review_on", "missing"): lazy_gettext("Enter the date of the next review"),
    ("next_review_on", "not_after"): lazy_gettext("The next review must be after this one"),
    ("next_review_on", "too_late"): lazy_gettext(
        "The next review must be no later than the longest time allowed between reviews"
    ),
    ("next_review_on", "not_a_date"): lazy_gettext("The date of the next review must be a real date"),
    ("held_on", "not_a_date"): lazy_gettext("The date of the review must be a real date"),
}


def _text(label: Any, hint: Any = None) -> TextAreaField:
    return TextAreaField(
        label,
        widget=TextArea(),
        description=hint,
        validators=[
            Optional(),
            Length(max=4000, message=lazy_gettext("This must be 4000 characters or fewer")),
        ],
    )


class SectionsForm(Form):
    """The person's own words, in the first person: every section is optional."""

    working = _text(
        lazy_gettext("What is working well for me?"),
        lazy_gettext("My strengths, what I and others think is going well, and what I want to celebrate."),
    )
    worries = _text(
        lazy_gettext("What am I, or others, worried about?"),
        lazy_gettext("What needs to change for me to feel safe and more in control."),
    )
    matters = _text(lazy_gettext("What is important to me?"))
    goals = _text(
        lazy_gettext("What goals do I have, and what do I want to achieve by the next review?"),
        lazy_gettext("Short-term and long-term goals, and how my strengths can help."),
    )
    plan_meets = RadioField(
        lazy_gettext("Is my plan helping me meet the outcomes I want?"),
        widget=RadioInput(),
        choices=list(PLAN_MEETS_WORDS.items()),
        validators=[Optional()],
        validate_choice=True,
    )
    plan_meets_note = _text(lazy_gettext("What would help the plan work better for me? (optional)"))
    submit = SubmitField(lazy_gettext("Save and continue"), widget=SubmitInput())

    def sections(self) -> Sections:
        """What was typed, for :func:`portal.reviews.save_sections`."""
        return Sections(
            working=self.working.data or "",
            worries=self.worries.data or "",
            matters=self.matters.data or "",
            goals=self.goals.data or "",
            plan_meets=self.plan_meets.data or "",
            plan_meets_note=self.plan_meets_note.data or "",
        )

    @classmethod
    def filled(cls, sections: Sections) -> SectionsForm:
        """The form with what was saved before."""
        return cls(data={name: getattr(sections, name) or None for name in Sections.__dataclass_fields__})


class DayField(Field):
    """Day, month and year boxes kept as typed; :meth:`day` reads them (None if empty, ValueError if not a date)."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        self.data = None

    def _value(self) -> str:
        return ""

    def show(self, day: date | None) -> None:
        """Fill the boxes with a day."""
        self.raw_data = [str(day.day), str(day.month), str(day.year)] if day else ["", "", ""]

    def day(self) -> date | None:
        """The day typed, None if nothing was; ValueError if it is not a real date."""
        parts = [part.strip() for part in (self.raw_data or ["", "", ""])]
        if not any(parts):
            return None
        day, month, year = parts
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValueError("not a date")
        return date(int(year), int(month), int(day))


class RecordForm(Form):
    """What a review must record, entered by the practitioner holding it."""

    held_on = DayField(lazy_gettext("Date of the review"), description=lazy_gettext("For example, 27 3 2026"))
    review_type = RadioField(
        lazy_gettext("Type of review"),
        widget=RadioInput(),
        choices=list(REVIEW_TYPE_WORDS.items()),
        validators=[Optional()],
        validate_choice=False,
    )
    took_part = _text(
        lazy_gettext("Who took part"),
        lazy_gettext("The person, and anyone else: family, carers, an advocate, other professionals."),
    )
    carer_assessment = RadioField(
        lazy_gettext("Was a carer's assessment offered?"),
        widget=RadioInput(),
        choices=list(CARER_ASSESSMENT_WORDS.items()),
        validators=[Optional()],
        validate_choice=False,
    )
    carer_assessment_note = _text(lazy_gettext("If not, why not"))
    capacity = RadioField(
        lazy_gettext("Was mental capacity considered?"),
        widget=RadioInput(),
        choices=list(CAPACITY_WORDS.items()),
        validators=[Optional()],
        validate_choice=False,
    )
    capacity_note = _text(lazy_gettext("If the person lacks capacity, how were the decisions made?"))
    outcome = RadioField(
        lazy_gettext("Outcome of the review"),
        widget=RadioInput(),
        choices=list(OUTCOME_WORDS.items()),
        validators=[Optional()],
        validate_choice=False,
    )
    next_review_on = DayField(
        lazy_gettext("Date of the next review"),
        description=lazy_gettext("Agree it with the person. It can be sooner than the longest time allowed."),
    )
    submit = SubmitField(lazy_gettext("Record the review"), widget=SubmitInput())

    def entry(self) -> Entry | None:
        """What was entered, or None with a message beside each date that is not a real date."""
        days: dict[str, date | None] = {}
        for name in ("held_on", "next_review_on"):
            field = getattr(self, name)
            try:
                days[name] = field.day()
            except ValueError:
                field.errors = [PROBLEM_WORDS[(name, "not_a_date")]]
        if len(days) < 2:
            return None
        return Entry(
            held_on=days["held_on"],
            review_type=self.review_type.data or "",
            took_part=self.took_part.data or "",
            carer_assessment=self.carer_assessment.data or "",
            carer_assessment_note=self.carer_assessment_note.data or "",
            capacity=self.capacity.data or "",
            capacity_note=self.capacity_note.data or "",
            outcome=self.outcome.data or "",
            next_review_on=days["next_review_on"],
        )

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each problem's message beside its field."""
        for name, code in problems.items():
            getattr(self, name).errors = [PROBLEM_WORDS[(name, code)]]

    def fill(self, entry: Entry) -> None:
        """Show what was recorded before (or the defaults offered)."""
        for name in (
            "review_type",
            "took_part",
            "carer_assessment",
            "carer_assessment_note",
            "capacity",
            "capacity_note",
            "outcome",
        ):
            getattr(self, name).data = getattr(entry, name) or None
        self.held_on.show(entry.held_on)
        self.next_review_on.show(entry.next_review_on)
