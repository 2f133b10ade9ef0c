"""The demo carer sends example cases through the citizen's own services (see :func:`portal.demo.seed_demo_cases`)."""

from __future__ import annotations

from datetime import date
from random import Random

from portal.demo import PERSONAS, demo_answers
from portal.extensions import db
from portal.models import Account, Authority
from portal.person_details import organisations_for_postcode
from portal.questionnaire import storable
from portal.selfassess import service


def send_demo_case(
    carer: Account, name: str, born: str, postcode: str, level: int, urgent: bool, seed: int
) -> None:
    """Start a case for a person the carer supports, answer every question (deterministically) and send it."""
    case = service.start_for_someone_else(carer, name, "Support worker", Authority.CONSENT)
    case.person.date_of_birth = date.fromisoformat(born)
    case.person.postcode = postcode
    matches = organisations_for_postcode(postcode)
    case.organisation_id = matches[0].id if matches else None
    answers = demo_answers(service.schema(), Random(seed), level, urgent, PERSONAS.get(name))
    case.answers = {key: storable(value) for key, value in answers.items()}
    db.session.commit()
    service.send(carer, case, urgent=urgent)
