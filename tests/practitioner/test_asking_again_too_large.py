"""Files together over the request's limit when asking for a decision to be looked at again: the body is refused
unread, and the form comes back with a message beside the file field and in the error summary, in the reader's
language, with what was typed when it came before the files (as a browser sends it), never a bare 413 page."""

from __future__ import annotations

import tempfile
import uuid

from sqlalchemy import select

from portal.asking_again import MAX_FILE_BYTES, REQUEST_LIMIT
from portal.extensions import db
from portal.models import Reconsideration
from portal.request_guard import TEXT_PREFIX_BYTES, fields_before_files
from tests.conftest import check_page, csrf_from, sign_in
from tests.practitioner.test_casework import staff_client
from tests.practitioner.test_lifecycle import _decided

PDF = b"%PDF-1.7\n"
MB = 1024 * 1024


def _multipart(
    parts: list[tuple[str, str | None, bytes]], boundary: str
) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """A multipart body, its parts in the order given: (name, filename or None for text, content)."""
    body = tempfile.SpooledTemporaryFile(max_size=MB)  # noqa: SIM115 - the caller closes it
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode())
        if filename:
            body.write(b"Content-Type: application/pdf\r\n")
        body.write(b"\r\n" + content + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    length = body.tell()
    body.seek(0)
    return body, length


def _big_file(name: str) -> tuple[str, str, bytes]:
    # Five files of 11 MB: 55 MB in all, over the request's limit (51 MB) whatever each file's own limit.
    return ("evidence", name, PDF + b"0" * (11 * MB))


def _post_too_large(
    client,
    url: str,
    text: dict[str, str],
    *,
    files_first: bool = False,
    token: str | None = None,
    page: str = "",
):
    """Post five files of 11 MB with the text typed; the CSRF token from the form (or ``page``), unless given."""
    token = token if token is not None else csrf_from(client.get(page or url).get_data(as_text=True))
    fields = [("csrf_token", None, token.encode())]
    typed = [(name, None, value.encode()) for name, value in text.items()]
    files = [_big_file(f"scan-{n}.pdf") for n in range(5)]
    parts = fields + (files + typed if files_first else typed + files)
    boundary = uuid.uuid4().hex
    body, length = _multipart(parts, boundary)
    assert length > REQUEST_LIMIT
    try:
        response = client.post(
            url,
            input_stream=body,
            content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        response.get_data()
        return response
    finally:
        body.close()


def _person(app, account):
    client = app.test_client()
    sign_in(client, account)
    return client


def test_the_person_gets_the_form_again_with_what_they_typed(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    url = f"/my/cases/{decided.public_id}/ask-again"
    typed = {"reason": "My nights were missed.\r\nAnd my mornings.", "considered": "Letters from my GP"}
    response = _post_too_large(client, url, typed)
    assert response.status_code == 413
    page = check_page(response.get_data(as_text=True), errors=True)
    words = "too large to send together: more than 51 MB in all. Choose up to 5 files, each 5 MB or smaller"
    assert words in page.select_one(".govuk-error-summary").get_text(" ", strip=True)
    assert words in page.select_one("#evidence-error").get_text(" ", strip=True), "beside the field"
    assert page.select_one(".govuk-error-summary a")["href"] == "#evidence"
    assert page.find("textarea", attrs={"name": "reason"}).get_text() == typed["reason"]
    assert page.find("textarea", attrs={"name": "considered"}).get_text() == typed["considered"]
    assert "Choose them again" in page.get_text(" ", strip=True)
    assert db.session.scalar(select(Reconsideration)) is None
    # The form works again at once: the text as typed, smaller files, sent.
    token = csrf_from(response.get_data(as_text=True))
    import io

    sent = client.post(
        url,
        data={"csrf_token": token, **typed, "evidence": [(io.BytesIO(PDF), "gp.pdf")]},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    assert db.session.scalar(select(Reconsideration)).considered == "Letters from my GP"


def test_in_the_persons_language(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    client.get("/?lang=cy")
    url = f"/my/cases/{decided.public_id}/ask-again"
    response = _post_too_large(client, url, {"reason": "Nosweithiau", "considered": ""})
    assert response.status_code == 413
    page = check_page(response.get_data(as_text=True), lang="cy", errors=True)
    assert page.find("textarea", attrs={"name": "reason"}).get_text() == "Nosweithiau"
    welsh = check_page(client.get(url).get_data(as_text=True), lang="cy")
    assert page.find("h1").get_text(strip=True) == welsh.find("h1").get_text(strip=True)


def test_when_the_typing_came_after_the_files_it_says_so_plainly(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    url = f"/my/cases/{decided.public_id}/ask-again"
    response = _post_too_large(client, url, {"reason": "Lost", "considered": ""}, files_first=True)
    assert response.status_code == 413
    page = check_page(response.get_data(as_text=True), errors=True)
    text = page.get_text(" ", strip=True)
    assert "What you typed could not be kept" in text and "more than 51 MB in all" in text
    assert page.find("textarea", attrs={"name": "reason"}).get_text() == ""
    assert page.select_one("#reason-error") is None, "no error for text that was never read"
    assert db.session.scalar(select(Reconsideration)) is None


def test_a_forged_request_shows_nothing_back(app, staff, sent_case, citizen):
    decided = _decided(app, staff, sent_case)
    client = _person(app, citizen)
    url = f"/my/cases/{decided.public_id}/ask-again"
    client.get(url)
    response = _post_too_large(client, url, {"reason": "Planted words", "considered": ""}, token="forged")
    assert response.status_code == 303, "the CSRF check refuses it as any stale form"
    assert "Planted words" not in client.get(url).get_data(as_text=True)
    assert db.session.scalar(select(Reconsideration)) is None


def test_only_who_acts_for_the_person_gets_the_page(app, staff, sent_case, citizen, make_account):
    decided = _decided(app, staff, sent_case)
    url = f"/my/cases/{decided.public_id}/ask-again"
    stranger = _person(app, make_account(email="stranger@example.org"))
    assert (
        _post_too_large(
            stranger, url, {"reason": "x", "considered": ""}, page="/account/password"
        ).status_code
        == 404
    )


def test_staff_recording_a_request_get_the_form_again_too(app, staff, sent_case):
    decided = _decided(app, staff, sent_case)
    client = staff_client(app, staff["assessor2"])
    url = f"/staff/cases/{decided.public_id}/ask-again"
    typed = {"how": "post", "reason": "Her letter: the night care was missed.", "considered": ""}
    response = _post_too_large(client, url, typed)
    assert response.status_code == 413
    page = check_page(response.get_data(as_text=True), errors=True)
    assert "more than 51 MB in all" in page.select_one("#evidence-error").get_text(" ", strip=True)
    assert page.find("textarea", attrs={"name": "reason"}).get_text() == typed["reason"]
    assert page.find("input", attrs={"name": "how", "value": "post"}).has_attr("checked")
    assert db.session.scalar(select(Reconsideration)) is None
    outsider = staff_client(app, staff["outsider"])
    assert _post_too_large(outsider, url, typed, page="/staff/").status_code == 404


def test_other_uploads_over_the_limit_are_still_a_413_page(app, make_account):
    from portal.models import Role

    admin = make_account(Role.ADMIN)
    client = app.test_client()
    sign_in(client, admin)
    boundary = uuid.uuid4().hex
    body, length = _multipart([("cases", "cases.csv", b"0" * (6 * MB))], boundary)
    try:
        response = client.post(
            "/staff/accuracy",
            input_stream=body,
            content_length=length,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
        assert response.status_code == 413
    finally:
        body.close()


def test_the_fields_before_the_files_are_read_from_the_start_of_the_body():
    body, _ = _multipart(
        [("csrf_token", None, b"t"), ("reason", None, "Nocą".encode()), ("evidence", "a.pdf", PDF * 10)], "b0"
    )
    start = body.read()
    body.close()
    assert list(fields_before_files(start, b"b0").items(multi=True)) == [
        ("csrf_token", "t"),
        ("reason", "Nocą"),
    ]
    assert list(fields_before_files(start[:70], b"b0").keys()) == ["csrf_token"], (
        "a field cut off is left out"
    )
    assert not fields_before_files(b"not multipart", b"b0")
    assert TEXT_PREFIX_BYTES >= 2 * 4 * 4000 + 1024, "two fields of 4,000 four-byte characters fit"
    assert MAX_FILE_BYTES * 5 < REQUEST_LIMIT
