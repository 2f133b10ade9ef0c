"""The W3C Nu HTML checker (vnu-jar, pinned in package.json, run with Java) finds no error in the portal's HTML.

The HTML checked is what the server sent, byte for byte (not the browser's DOM after script): public pages,
every page and error state of the citizen journey, and the staff pages, in English and in Urdu. The pages
are collected with JavaScript off, so each form posts as a whole page and its answer can be kept. The checker
then runs once over all of them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT
from tests.browser.test_inclusion import (
    APPROVER,
    ASSESSOR,
    follow,
    opened,
    register,
    staff,
    submit,
    walk_journey,
)

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PUBLIC = (
    "/",
    "/account/sign-in",
    "/account/register",
    "/account/forgotten-password",
    "/privacy",
    "/accessibility",
    "/cookies",
    "/contact",
    "/complaints",
    "/no-such-page",
)


class Collector:
    """Keeps the body of each HTML page the browser was sent, named by where it came from."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sources: dict[str, str] = {}
        self.last: Any = None

    def watch(self, page: Any) -> None:
        page.on("response", self._response)

    def _response(self, response: Any) -> None:
        if response.request.resource_type == "document":
            self.last = response

    def keep(self, page: Any, label: str) -> None:
        """Keep the page now showing: the document response that brought it."""
        page.wait_for_load_state()
        response = self.last
        assert response is not None and response.url == page.url, (page.url, response and response.url)
        assert "text/html" in (response.headers.get("content-type") or ""), response.url
        self.save(f"{response.request.method} {response.url}", label, response.body())

    def save(self, source: str, label: str, body: bytes) -> None:
        name = f"{len(self.sources):03d}-{re.sub(r'[^A-Za-z0-9]+', '-', label).strip('-')}.html"
        (self.folder / name).write_bytes(body)
        self.sources[name] = source

    def goto(self, page: Any, url: str, label: str) -> None:
        page.goto(url)
        self.keep(page, label)


def run_vnu(files: list[Path]) -> list[dict[str, Any]]:
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"the Nu checker did not answer in JSON (exit {result.returncode}):\n{result.stderr}")
    return [
        message for message in report["messages"] if message.get("type") in ("error", "non-document-error")
    ]


def readable(messages: list[dict[str, Any]], sources: dict[str, str]) -> str:
    """Each distinct error once, with how many pages have it, the first page and its source line."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        grouped.setdefault(message["message"], []).append(message)
    lines = []
    for text, found in grouped.items():
        first = found[0]
        name = first.get("url", "").rsplit("/", 1)[-1]
        pages = sorted(
            {
                re.sub(
                    r"[0-9a-f]{32}",
                    "<id>",
                    sources.get(m.get("url", "").rsplit("/", 1)[-1], "?").split("?")[0],
                )
                for m in found
            }
        )
        lines.append(
            f"- {text} ({len(found)} times, on {len(pages)} pages)\n"
            f"    first: {sources.get(name, name)} ({name}, line {first.get('lastLine', '?')})\n"
            f"    …{' '.join(first.get('extract', '').split())}…\n"
            f"    pages: {', '.join(re.sub(r'^[A-Z]+ https?://[^/]+', '', page) for page in pages[:8])}"
            + (" …" if len(pages) > 8 else "")
        )
    return "\n".join(lines)


def test_pages_have_no_html_errors(live_server, browser, tmp_path):
    if shutil.which("java") is None:
        pytest.skip(
            "Java is not installed, and the W3C Nu HTML checker (vnu.jar) needs it: apt-get install default-jre-headless"
        )
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci` (package.json pins vnu-jar)"
    pages = Collector(tmp_path)
    sent_case = ""
    for lang in ("en", "ur"):
        # Public pages, and the sign-in and register forms' error states
        with opened(browser, java_script_enabled=False) as page:
            pages.watch(page)
            for path in PUBLIC:
                pages.goto(page, f"{live_server}{path}?lang={lang}", f"{lang} {path}")
            page.goto(f"{live_server}/account/sign-in?lang={lang}")
            submit(page)
            pages.keep(page, f"{lang} sign-in error")
            page.goto(f"{live_server}/account/register?lang={lang}")
            page.fill("#email", "not an email")
            submit(page)
            pages.keep(page, f"{lang} register error")
        # The citizen journey, every page and error state
        with opened(browser, java_script_enabled=False) as page:
            pages.watch(page)
            register(page, live_server, lang=lang)
            seen = walk_journey(
                page, live_server, on_page=lambda page, label, lang=lang: pages.keep(page, f"{lang} {label}")
            )
            sent_case = sent_case or seen["case"]
            page.goto(f"{live_server}/account/")
            pages.keep(page, f"{lang} account")
        # Staff pages, on a case sent by the journey: claimed, then each page of it and its error states
        with staff(browser, live_server, ASSESSOR, java_script_enabled=False) as page:
            pages.watch(page)
            for path in ("/staff/", "/staff/queue", f"/staff/cases/{sent_case}"):
                pages.goto(page, f"{live_server}{path}?lang={lang}", f"{lang} {path}")
            if page.locator("main form[action$='/claim']").count():
                submit(page, "main form[action$='/claim'] button[type=submit]")
                pages.keep(page, f"{lang} case claimed")
            for path in ("validate", "needs-profile", "budget", "history", "ask"):
                pages.goto(page, f"{live_server}/staff/cases/{sent_case}/{path}", f"{lang} staff {path}")
            submit(page)
            pages.keep(page, f"{lang} ask error")
            page.goto(f"{live_server}/staff/cases/{sent_case}/budget")
            page.fill("#amount", "lots")
            submit(page)
            pages.keep(page, f"{lang} budget error")
            page.goto(f"{live_server}/staff/cases/{sent_case}/validate")
            follow(page, "main table a[href*='/validate/']")
            pages.keep(page, f"{lang} validate answer")
            submit(page)
            pages.keep(page, f"{lang} validate answer error")
        with staff(browser, live_server, APPROVER, java_script_enabled=False) as page:
            pages.watch(page)
            pages.goto(page, f"{live_server}/staff/approvals?lang={lang}", f"{lang} approvals")
        with staff(browser, live_server, "deployment-admin@example.org", java_script_enabled=False) as page:
            pages.watch(page)
            for path in ("/staff/organisations", "/staff/organisations/new", "/staff/mailbox"):
                pages.goto(page, f"{live_server}{path}?lang={lang}", f"{lang} {path}")
    files = sorted(tmp_path.glob("*.html"))
    assert len(files) >= 80, len(files)
    errors = run_vnu(files)
    if errors:
        pytest.fail(
            f"the Nu HTML checker found {len(errors)} errors:\n" + readable(errors, pages.sources),
            pytrace=False,
        )
