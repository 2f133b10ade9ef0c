"""Which answers carry over from one tool's case to another's: declared in data, beside the tool that receives them.

``portal/tools/<key>/carry_over.yaml`` names the tool it takes answers from and, question by question, the
receiving tool's question that means the same (same meaning, same options). The loader checks both questions
exist and offer the same options, so a change to either questionnaire that breaks the mapping fails at once.
Pure Python: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from portal.tools import Tool, ToolError

FILE = "carry_over.yaml"


@dataclass(frozen=True)
class CarryOver:
    """Answers to take from a case of ``source`` when starting a case of ``target``."""

    source: str
    target: str
    answers: dict[str, str]  # source question id -> target question id

    def apply(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The target's starting answers: each mapped answer that was given, under the target's question id."""
        return {
            target: answers[source]
            for source, target in self.answers.items()
            if answers.get(source) not in (None, "", [])
        }


def load_carry_over(target: Tool, tools: dict[str, Tool]) -> CarryOver | None:
    """The target tool's carry-over, checked against both questionnaires; None if the tool declares none."""
    path = Path(target.folder) / FILE
    where = f"{target.key}/{FILE}"
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ToolError(where, f"cannot read it ({exc})") from None
    if (
        not isinstance(data, dict)
        or set(data) != {"from", "answers"}
        or not isinstance(data["answers"], dict)
    ):
        raise ToolError(where, "must have exactly 'from' and 'answers' (a mapping of question ids)")
    source = tools.get(str(data["from"]))
    if source is None:
        raise ToolError(f"{where}: from", "is not a tool")
    for child, adult in data["answers"].items():
        try:
            asked, receiving = source.schema.question(str(child)), target.schema.question(str(adult))
        except KeyError:
            raise ToolError(
                f"{where}: answers.{child}", "names a question one of the tools does not have"
            ) from None
        if [o.value for o in asked.options] != [
            o.value for o in receiving.options
        ] or asked.type != receiving.type:
            raise ToolError(f"{where}: answers.{child}", "the two questions do not offer the same answers")
    return CarryOver(source.key, target.key, {str(k): str(v) for k, v in data["answers"].items()})
