"""A review in words: the person's sections and what was recorded, for the pages and the person's copy (PDF).

The person's words and the practitioner's notes are shown as written, marked with the language they were written in
(PRODUCT.md: text that is data keeps its own language); everything else is worded in the page's language.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from portal import changes, review_forms, vocabulary
from portal.extensions import db
from portal.formatting import format_day
from portal.models import Account, Case, Review


def section_rows(review: Review) -> list[dict[str, Any]]:
    """The person's own sections that say something, as (heading, their words, its language)."""
    rows = []
    for name, heading in review_forms.SECTION_HEADINGS.items():
        text = getattr(review, name)
        if text:
            rows.append({"key": str(heading), "value": text, "lang": review.words_lang})
    if review.plan_meets:
        rows.append(
            {
                "key": gettext("Is my plan helping me meet the outcomes I want?"),
                "value": str(review_forms.PLAN_MEETS_WORDS[review.plan_meets]),
                "lang": None,
            }
        )
    if review.plan_meets_note:
        rows.append(
            {
                "key": gettext("What would help the plan work better for me?"),
                "value": review.plan_meets_note,
                "lang": review.words_lang,
            }
        )
    return rows


def record_rows(review: Review) -> list[dict[str, Any]]:
    """What the practitioner recorded, worded; empty until the review is recorded."""
    if review.recorded_at is None:
        return []
    recorder = db.session.get(Account, review.recorded_by_id) if review.recorded_by_id else None
    lang = recorder.locale if recorder is not None else None
    rows: list[dict[str, Any]] = [
        {
            "key": gettext("Date of the review"),
            "value": format_day(review.held_on) if review.held_on else "",
            "lang": None,
        },
        {
            "key": gettext("Type of review"),
            "value": str(review_forms.REVIEW_TYPE_WORDS.get(review.review_type, "")),
            "lang": None,
        },
        {"key": gettext("Who took part"), "value": review.took_part, "lang": lang},
        {
            "key": gettext("Was a carer's assessment offered?"),
            "value": str(review_forms.CARER_ASSESSMENT_WORDS.get(review.carer_assessment, "")),
            "lang": None,
        },
    ]
    if review.carer_assessment_note:
        rows.append({"key": gettext("Why not"), "value": review.carer_assessment_note, "lang": lang})
    rows.append(
        {
            "key": gettext("Was mental capacity considered?"),
            "value": str(review_forms.CAPACITY_WORDS.get(review.capacity, "")),
            "lang": None,
        }
    )
    if review.capacity_note:
        rows.append(
            {"key": gettext("How the decisions were made"), "value": review.capacity_note, "lang": lang}
        )
    rows.append(
        {
            "key": gettext("Outcome"),
            "value": str(review_forms.OUTCOME_WORDS.get(review.outcome, "")),
            "lang": None,
        }
    )
    rows.append(
        {
            "key": gettext("Next review"),
            "value": format_day(review.next_review_on)
            if review.next_review_on
            else gettext("No further review"),
            "lang": None,
        }
    )
    if recorder is not None:
        rows.append({"key": gettext("Recorded by"), "value": recorder.name, "lang": None})
    return rows


def copy_context(case: Case) -> dict[str, Any]:
    """Everything the person's copy of a decided review says (call inside the document's locale)."""
    from portal import reviews

    review = reviews.review_of(case)
    assert review is not None
    return {
        "person_name": case.person.name,
        "reference": case.reference,
        "organisation": case.organisation,
        "sections": section_rows(review),
        "record": record_rows(review),
        "changed": changes.for_review(case),
        "level_words": {level: str(words) for level, words in vocabulary.NEED_LEVEL_WORDS.items()},
    }
