"""The citizen self-assessment questionnaire: a versioned schema file and pure functions over answers.

No web, database or translation library is imported here: the web layer, the practitioner pages and batch
jobs all use the same code. See docs/decisions/0003-questionnaire.md.
"""

from portal.engine.profile import AREAS
from portal.questionnaire.answers import ParseResult, is_valid_value, storable
from portal.questionnaire.conditions import OPERATORS
from portal.questionnaire.loader import (
    DEFAULT_SCHEMA_PATH,
    JSON_SCHEMA_PATH,
    build_schema,
    load_schema,
    parse_yaml,
)
from portal.questionnaire.model import (
    AnswerValue,
    ErrorCode,
    Option,
    Question,
    QuestionType,
    Risk,
    RiskRule,
    Section,
    SectionStatus,
    SourceString,
    Voice,
    fill_name,
)
from portal.questionnaire.notes import (
    MAX_NOTE_LENGTH,
    NOTES_KEY,
    clean_note,
    note_too_long,
    notes_of,
    with_note,
)
from portal.questionnaire.profile import (
    CANONICAL_FIELDS,
    FIELD_NAMES,
    FieldSpec,
    ProfileMapping,
    canonical_fields,
)
from portal.questionnaire.schema import Answers, Place, Schema
from portal.questionnaire.schema_errors import SchemaError, SchemaIssue

__all__ = [
    "AREAS",
    "CANONICAL_FIELDS",
    "DEFAULT_SCHEMA_PATH",
    "FIELD_NAMES",
    "JSON_SCHEMA_PATH",
    "MAX_NOTE_LENGTH",
    "NOTES_KEY",
    "OPERATORS",
    "AnswerValue",
    "Answers",
    "ErrorCode",
    "FieldSpec",
    "Option",
    "ParseResult",
    "Place",
    "ProfileMapping",
    "Question",
    "QuestionType",
    "Risk",
    "RiskRule",
    "Schema",
    "SchemaError",
    "SchemaIssue",
    "Section",
    "SectionStatus",
    "SourceString",
    "Voice",
    "build_schema",
    "clean_note",
    "canonical_fields",
    "fill_name",
    "is_valid_value",
    "load_schema",
    "note_too_long",
    "notes_of",
    "parse_yaml",
    "storable",
    "with_note",
]
