"""What staff do to cases, kept out of the views so tests can call it directly: one name for every staff service.

The services live in modules by capability, and this module gathers their public names (the views import it as
``work``; tests as ``service``):

- :mod:`portal.practitioner.queue_service`: the queue, claiming, releasing, reassigning, closing a duplicate;
- :mod:`portal.practitioner.validation_service`: validation answer by answer (and a section at once), the
  practitioner's parts of the Needs Profile, what is still to check;
- :mod:`portal.practitioner.budget_service`: the engine on the validated answers, confirming a budget, deciding
  that no needs are eligible, approving or returning, the decision letters;
- :mod:`portal.practitioner.questions_service`: questions to the person (online, or by phone, letter or in person
  with the answer recorded by the holder), and emails to everyone who acts for them;
- :mod:`portal.practitioner.phone_service`: an assessment taken on the phone, the person's postal address.

Every function takes the acting account and checks the organisation itself: a case of another organisation is
never found (the views answer 404). Every change to a case goes through the lifecycle's one door
(:func:`portal.cases.move`), which refuses what the actor may not do (:class:`NotAllowed`) and runs one
conditional UPDATE, so two people acting at once cannot both succeed (:class:`Conflict`); edits to a validation
also use its version column (optimistic locking). The rules that are not moves (full validation before a
budget, a reason for another figure, the approval level) are in those modules, and refuse by themselves.
"""

from __future__ import annotations

from portal.case_record import (
    OFFLINE_CHANNELS,
    AwaitingIcbDecision,
    current_validation,
    determination,
    eligible_areas,
    final_decision,
    find_case_for_staff,
    funded_areas,
    latest_snapshot,
    messages,
    own_estimate,
    pending_decision,
    person_answers,
    require_icb_decision,
    validated_answers,
)
from portal.cases import NotAllowed
from portal.practitioner.budget_service import (
    IncompleteValidation,
    approve,
    confirm_budget,
    decide_not_eligible,
    decision_letter,
    decision_letters,
    reasons_needed,
    recalculate,
    recalculate_funded,
)
from portal.practitioner.phone_service import (
    ADDRESS_KEYS,
    find_phone_draft,
    finish_phone_assessment,
    record_address,
    start_phone_assessment,
)
from portal.practitioner.questions_service import ask_person, record_offline_answer, tell_people
from portal.practitioner.queue_service import (
    PAGE_SIZE,
    QueueFilter,
    claim,
    close,
    possible_duplicates,
    queue_page,
    queue_query,
    reassign,
    release,
)
from portal.practitioner.validation_service import (
    Conflict,
    UnchangedAmendment,
    ValidationRow,
    agree_with_section,
    save_practitioner_items,
    schema,
    still_to_check,
    validate_answer,
    validation_rows,
)

find_case = find_case_for_staff

__all__ = [
    # read from portal.case_record (the staff views read them through this module too)
    "OFFLINE_CHANNELS",
    "AwaitingIcbDecision",
    "current_validation",
    "determination",
    "eligible_areas",
    "final_decision",
    "find_case",
    "find_case_for_staff",
    "funded_areas",
    "latest_snapshot",
    "messages",
    "own_estimate",
    "pending_decision",
    "person_answers",
    "require_icb_decision",
    "validated_answers",
    "NotAllowed",
    # queue_service
    "PAGE_SIZE",
    "QueueFilter",
    "claim",
    "close",
    "possible_duplicates",
    "queue_page",
    "queue_query",
    "reassign",
    "release",
    # validation_service
    "Conflict",
    "UnchangedAmendment",
    "ValidationRow",
    "agree_with_section",
    "save_practitioner_items",
    "schema",
    "still_to_check",
    "validate_answer",
    "validation_rows",
    # budget_service
    "IncompleteValidation",
    "approve",
    "confirm_budget",
    "decide_not_eligible",
    "decision_letter",
    "decision_letters",
    "reasons_needed",
    "recalculate",
    "recalculate_funded",
    # questions_service
    "ask_person",
    "record_offline_answer",
    "tell_people",
    # phone_service
    "ADDRESS_KEYS",
    "find_phone_draft",
    "finish_phone_assessment",
    "record_address",
    "start_phone_assessment",
]
