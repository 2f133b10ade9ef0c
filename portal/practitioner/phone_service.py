"""An assessment completed with the person on the phone (or in person), and the person's postal address.

The assessor holds the draft from the start and sends it with the person's own send; a person without an account
has their letters by post, so the holder records the address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from portal import cases, tool_service
from portal.audit import record
from portal.cases import Move, NotAllowed
from portal.extensions import db
from portal.models import Account, Case, CaseStatus, Person, Snapshot
from portal.tools import DEFAULT_TOOL


def start_phone_assessment(
    assessor: Account,
    *,
    name: str,
    date_of_birth: Any,
    postcode: str,
    nhs_number: str,
    address: Mapping[str, str] | None = None,
    tool_key: str = DEFAULT_TOOL,
) -> Case:
    """A draft case an assessor completes for a person on the phone (or with them in person); the assessor holds
    it from the start.

    ``address`` is the postal address before the postcode (``address_line_1``, ``address_line_2``, ``town``):
    without an account, the person's letters go by post. ``tool_key``: the tool completed with the person (the
    adult self-assessment by default); ``tool_service.ToolRefused`` unless the assessor's organisation offers it
    and a practitioner completes it (decision 0015), before anything is written.
    """
    tool = tool_service.check_start_with_person(tool_key, assessor.organisation)
    person = Person(
        name=name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
        created_by_id=assessor.id,
        **{key: (address or {}).get(key, "") for key in ("address_line_1", "address_line_2", "town")},
    )
    db.session.add(person)
    db.session.flush()
    case = Case(
        person_id=person.id,
        created_by_id=assessor.id,
        organisation_id=assessor.organisation_id,
        holder_id=assessor.id,
        answers={},
        questionnaire_version=tool.schema.version,
        tool_key=tool.key,
        tool_version=tool.version,
        person_name=name,
    )
    db.session.add(case)
    db.session.flush()
    record("case.started_by_phone", actor=assessor, case=case, detail={"tool": tool.key})
    db.session.commit()
    return case


ADDRESS_KEYS = ("address_line_1", "address_line_2", "town")


def record_address(holder: Account, case: Case, address: Mapping[str, str]) -> None:
    """The member of staff holding the case records or corrects the person's postal address, for letters.

    Refused (:class:`NotAllowed`) to anyone else, and once the case is decided; an address is whole (a street and
    a town) or empty. Audited with the address before and after.
    """
    if not cases.can(holder, case, Move.VALIDATE):
        raise NotAllowed("only the member of staff holding the case records the person's address")
    lines = {key: (address.get(key) or "").strip() for key in ADDRESS_KEYS}
    if bool(lines["address_line_1"]) != bool(lines["town"]) or (
        lines["address_line_2"] and not lines["town"]
    ):
        raise ValueError("an address needs its building and street and its town, or nothing")
    person = case.person
    before = person.postal_address()
    for key, value in lines.items():
        setattr(person, key, value)
    record(
        "person.address_recorded",
        actor=holder,
        case=case,
        detail={"before": before, "after": person.postal_address()},
    )
    db.session.commit()


def find_phone_draft(assessor: Account, public_id: str) -> Case | None:
    """A draft this assessor is completing on the phone (nobody else's)."""
    if not re.fullmatch(r"[0-9a-f]{32}", public_id or ""):
        return None
    return db.session.scalar(
        select(Case).where(
            Case.public_id == public_id,
            Case.status == CaseStatus.DRAFT,
            Case.created_by_id == assessor.id,
            Case.holder_id == assessor.id,
            Case.organisation_id == assessor.organisation_id,
        )
    )


def finish_phone_assessment(assessor: Account, case: Case) -> Snapshot:
    """Send the phone assessment: the same send as the person's, and the case stays with the assessor."""
    from portal.sending import send

    return send(assessor, case)
