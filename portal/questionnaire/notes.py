"""Notes on answers ("Add note"): a note kept with the answer it is about.

A questionnaire that sets ``answer_notes: true`` offers a note on every question (the Section 117 Needs
Profile does). Notes are stored with the answers they belong to, in the same JSON, under one reserved key that
can never be a question id (ids are kebab-case and start with a letter): so a note travels with its answer into
the snapshot sent, a review's copy and every export, and nothing that reads answers by question id sees it.
:meth:`~portal.questionnaire.schema.Schema.decode_answers` leaves it out of the typed answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The key of the notes in a stored answers mapping: {question id: note}.
NOTES_KEY = "_notes"
#: The longest note, in characters.
MAX_NOTE_LENGTH = 2000


def clean_note(text: object) -> str:
    """A note as it is kept: text with its line endings made plain and outer spaces removed ("" for none)."""
    if not isinstance(text, str):
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def note_too_long(text: object) -> bool:
    """Whether a posted note is longer than a note may be."""
    return len(clean_note(text)) > MAX_NOTE_LENGTH


def notes_of(stored: Mapping[str, Any] | None) -> dict[str, str]:
    """The notes kept with some stored answers, by question id (only non-blank text notes)."""
    raw = (stored or {}).get(NOTES_KEY)
    if not isinstance(raw, Mapping):
        return {}
    return {str(qid): note for qid, value in raw.items() if (note := clean_note(value))}


def with_note(stored: Mapping[str, Any] | None, question_id: str, text: object) -> dict[str, Any]:
    """A copy of the stored answers with the note on one question set (a blank note removes it)."""
    out = dict(stored or {})
    notes = notes_of(out)
    note = clean_note(text)[:MAX_NOTE_LENGTH]
    if note:
        notes[question_id] = note
    else:
        notes.pop(question_id, None)
    if notes:
        out[NOTES_KEY] = notes
    else:
        out.pop(NOTES_KEY, None)
    return out
