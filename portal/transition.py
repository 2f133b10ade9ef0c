"""Moving from children's Continuing Care to adult NHS Continuing Healthcare: the milestones, from the date of birth.

Pure Python (no Flask, no database), so the boundaries can be tested one day at a time. The national frameworks
for children and young people's continuing care and for adult NHS Continuing Healthcare set the timetable:

- at 14 the young person likely to need adult NHS Continuing Healthcare is identified (flagged) to the ICB that
  will be responsible for them as an adult;
- at 16 they are referred for screening with the adult Checklist (done at 16 or 17);
- as soon as possible after the 17th birthday the ICB decides adult eligibility in principle;
- so that, if eligible, the adult support is in place on the 18th birthday.

A person born on 29 February has their birthday on 1 March in a year that has no 29 February.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

FLAG_AGE = 14
CHECKLIST_AGE = 16
DECISION_AGE = 17
ADULT_AGE = 18
#: How long before the 14th birthday a young person first appears on the list of those approaching it.
LOOKAHEAD = timedelta(days=183)


class Stage(StrEnum):
    """Where the young person is in the move to adult services."""

    NOT_YET = "not_yet"  # under 14
    FLAG = "flag"  # 14 or 15: flagged to the adult ICB
    CHECKLIST = "checklist"  # 16: screened with the adult Checklist
    DECISION = "decision"  # 17: adult eligibility decided in principle, support arranged for 18
    ADULT = "adult"  # 18 or over


def birthday(born: date, age: int) -> date:
    """The day the person reaches ``age`` (1 March for someone born on 29 February, in a common year)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # 29 February in a year without one
        return date(born.year + age, 3, 1)


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day``."""
    years = day.year - born.year
    return years if day >= birthday(born, years) else years - 1


@dataclass(frozen=True)
class Milestones:
    """The days each step of the move falls due."""

    flag_on: date
    checklist_from: date
    decision_from: date
    adult_on: date

    def next_on(self, today: date) -> tuple[Stage, date] | None:
        """The next milestone still ahead (the stage it opens and its day), or None once the person is 18."""
        for stage, day in (
            (Stage.FLAG, self.flag_on),
            (Stage.CHECKLIST, self.checklist_from),
            (Stage.DECISION, self.decision_from),
            (Stage.ADULT, self.adult_on),
        ):
            if today < day:
                return stage, day
        return None


def milestones(born: date) -> Milestones:
    """The milestones of the move, from the date of birth."""
    return Milestones(
        flag_on=birthday(born, FLAG_AGE),
        checklist_from=birthday(born, CHECKLIST_AGE),
        decision_from=birthday(born, DECISION_AGE),
        adult_on=birthday(born, ADULT_AGE),
    )


def stage(born: date, today: date) -> Stage:
    """The stage the young person is at on ``today``."""
    age = age_on(born, today)
    if age >= ADULT_AGE:
        return Stage.ADULT
    if age >= DECISION_AGE:
        return Stage.DECISION
    if age >= CHECKLIST_AGE:
        return Stage.CHECKLIST
    if age >= FLAG_AGE:
        return Stage.FLAG
    return Stage.NOT_YET


def approaching(born: date, today: date) -> bool:
    """Whether the young person belongs on the list: from half a year before 14 until the 18th birthday."""
    marks = milestones(born)
    return marks.flag_on - LOOKAHEAD <= today < marks.adult_on
