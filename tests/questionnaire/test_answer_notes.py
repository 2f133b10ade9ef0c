"""Notes on answers ("Add note", seed 000): kept with the answers, never read as an answer."""

from __future__ import annotations

from portal.questionnaire import (
    MAX_NOTE_LENGTH,
    NOTES_KEY,
    clean_note,
    load_schema,
    note_too_long,
    notes_of,
    with_note,
)


def test_a_note_is_kept_beside_its_answer_and_removed_when_blank() -> None:
    stored = {"live-alone": "yes"}
    noted = with_note(stored, "live-alone", "  Lives with a lodger\r\nsome weeks ")
    assert stored == {"live-alone": "yes"}  # a copy: the original is left alone
    assert noted == {"live-alone": "yes", NOTES_KEY: {"live-alone": "Lives with a lodger\nsome weeks"}}
    assert notes_of(noted) == {"live-alone": "Lives with a lodger\nsome weeks"}
    assert with_note(noted, "live-alone", "   ") == {"live-alone": "yes"}


def test_notes_never_become_answers() -> None:
    schema = load_schema()
    stored = with_note({"live-alone": "yes"}, "live-alone", "A note")
    assert schema.decode_answers(stored) == {"live-alone": "yes"}


def test_bad_stored_notes_read_as_none() -> None:
    assert notes_of(None) == {}
    assert notes_of({NOTES_KEY: "not a mapping"}) == {}
    assert notes_of({NOTES_KEY: {"a": 3, "b": "", "c": "kept"}}) == {"c": "kept"}


def test_the_length_of_a_note() -> None:
    assert not note_too_long("x" * MAX_NOTE_LENGTH)
    assert note_too_long("x" * (MAX_NOTE_LENGTH + 1))
    assert not note_too_long(" " + "x" * MAX_NOTE_LENGTH + " ")  # outer spaces are not kept, so not counted
    assert clean_note(None) == ""
