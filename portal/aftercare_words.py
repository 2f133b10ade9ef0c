"""What a decision says when it is Section 117 aftercare: that it is free, which support is not aftercare (shown
apart), any top-up for preferred accommodation (section 117A), who pays which part, and the right to a personal
health budget for the NHS part. :func:`portal.letters.decision_context` merges it in, so the status page and the
letter say the same; the pages never mention a contribution or a financial assessment for aftercare.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext

from portal import budgets, section117
from portal.engine import Estimate
from portal.models import Case


def decision_words(
    case: Case,
    day: date,
    result: Estimate | None,
    lines: list[dict[str, Any]],
    split_basis: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The aftercare part of a decision's context (``aftercare`` is None when the case is not aftercare).

    ``split_basis`` is the split the decision's estimate used (``portal.section117.SplitBasis.to_dict``): under a
    pooled split or one agreed for the person the whole budget is shared, so no line names a single payer.
    """
    if not section117.is_aftercare(case, day):
        return {"aftercare": None}
    if (split_basis or {}).get("kind") in ("pooled", "agreed"):
        shared = gettext("Council and NHS")
        lines = [{**line, "funder_label": shared} if line.get("funder_label") else line for line in lines]
    details = section117.case_aftercare(case)
    apart = set(details.not_aftercare or []) if details else set()
    care = [line for line in lines if line.get("key") not in apart]
    other = [line for line in lines if line.get("key") in apart]
    shares = {share.funder: share.amount_pence for share in result.split} if result else {}
    top_up = None
    if details is not None and details.top_up_pence:
        top_up = {
            "pence": details.top_up_pence,
            "paid_by": details.top_up_paid_by,
            "accommodation": details.top_up_accommodation,
        }
    return {
        "aftercare": {
            "lines": care,
            "pence": sum(line["amount_pence"] for line in care),
            "other_lines": other,
            "other_pence": sum(line["amount_pence"] for line in other),
            "other_reason": details.not_aftercare_reason if details and other else "",
            "top_up": top_up,
            "nhs_pence": shares.get("nhs", 0),
            "split": budgets.split_words(result, split_basis) if result else [],
        },
        # Aftercare is free: nothing about paying towards it, whatever was typed before entitlement was recorded.
        "contribution_note": "",
    }
