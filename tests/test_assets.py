"""The front-end build (scripts/build_assets.py): the deployment's branding, never GOV.UK's.

The build runs in a temporary folder (`--out`) with a test deployment's PORTAL_* settings,
so these tests neither need nor touch static/dist/.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "build_assets.py"

pytestmark = pytest.mark.skipif(
    not (ROOT / "node_modules").is_dir(),
    reason="node_modules is missing: run `npm ci` to test the front-end build",
)

BRAND_COLOUR = "#0b6e4f"
FONT_STACK = '"Atkinson Hyperlegible", "Noto Nastaliq Urdu", Verdana, sans-serif'
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    '<circle cx="5" cy="5" r="4" fill="#ffffff"/></svg>\n'
)


def run_build(out: Path, settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("PORTAL_")}
    env.update(settings)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    logo = tmp_path_factory.mktemp("logo") / "council.svg"
    logo.write_text(LOGO, encoding="utf-8")
    return {
        "PORTAL_BRAND_NAME": "Test Borough care and support",
        "PORTAL_BRAND_SHORT_NAME": "Test Borough",
        "PORTAL_BRAND_COLOUR": BRAND_COLOUR,
        "PORTAL_FONT_STACK": FONT_STACK,
        "PORTAL_BRAND_LOGO": str(logo),
    }


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory, settings: dict[str, str]) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run_build(out, settings)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def build_assets():
    """scripts/build_assets.py as a module, for its helper functions."""
    spec = importlib.util.spec_from_file_location("build_assets", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def rules(css: str) -> dict[str, str]:
    """The declarations of each selector in a compressed stylesheet, all its rules joined."""
    found: dict[str, str] = {}
    for selector, declarations in re.findall(r"(?:^|(?<=[{}]))([^{}@]+)\{([^{}]*)\}", css):
        found[selector] = f"{found[selector]};{declarations}" if selector in found else declarations
    return found


URDU_FONT_FILES = {
    f"fonts/noto-nastaliq-urdu-{subset}-{weight}-normal.woff2"
    for subset in ("arabic", "latin")
    for weight in (400, 700)
}


def built_files(dist: Path) -> set[str]:
    return {path.relative_to(dist).as_posix() for path in dist.rglob("*") if path.is_file()}


def test_outputs_are_built(dist: Path) -> None:
    names = built_files(dist)
    assert names == URDU_FONT_FILES | {
        "fonts/noto-nastaliq-urdu-OFL.txt",
        "app.css",
        "app-rtl.css",
        "app.js",
        "session-timeout.js",
        "js-enabled.js",
        "govuk-frontend.min.js",
        "govuk-frontend.min.js.map",
        "htmx.min.js",
        "favicon.svg",
        "icon-192.png",
        "icon-512.png",
        "logo.svg",
        "manifest.json",
        "manifest-build.json",
    }


def test_css_uses_the_deployment_font_stack(dist: Path) -> None:
    for name in ("app.css", "app-rtl.css"):
        css = (dist / name).read_text(encoding="utf-8")
        assert 'font-family:"Atkinson Hyperlegible","Noto Nastaliq Urdu",Verdana,sans-serif' in css


def test_css_has_no_gds_transport(dist: Path) -> None:
    for name in ("app.css", "app-rtl.css"):
        css = (dist / name).read_text(encoding="utf-8")
        assert "gds transport" not in css.lower()
    # Left-to-right pages load no web font at all (nor the rtlcss directive that makes Urdu's)
    ltr = (dist / "app.css").read_text(encoding="utf-8")
    assert "@font-face" not in ltr
    assert ".woff" not in ltr
    assert "rtl:" not in ltr


def test_urdu_pages_get_the_nastaliq_web_font(dist: Path) -> None:
    rtl = (dist / "app-rtl.css").read_text(encoding="utf-8")
    faces = re.findall(r"@font-face\{([^{}]*)\}", rtl)
    assert len(faces) == len(URDU_FONT_FILES)
    sources = set()
    for face in faces:
        assert 'font-family:"Noto Nastaliq Urdu"' in face
        assert "font-display:swap" in face
        assert "unicode-range:" in face
        sources.update(re.findall(r'url\(([^)]+)\) format\("woff2"\)', face))
    assert sources == URDU_FONT_FILES  # relative to app-rtl.css, so they follow --static-url
    assert re.search(r"unicode-range:U\+0600-06FF", rtl)  # the Arabic script's block, Urdu's letters
    for name in URDU_FONT_FILES:
        data = (dist / name).read_bytes()
        assert data[:4] == b"wOF2" and len(data) > 5000
    assert "SIL OPEN FONT LICENSE" in (dist / "fonts" / "noto-nastaliq-urdu-OFL.txt").read_text(
        encoding="utf-8"
    )
    # Urdu text (and only Urdu text) takes the font first, then the deployment's stack, once each
    stack = '"Noto Nastaliq Urdu","Atkinson Hyperlegible",Verdana,sans-serif'
    css = rules(rtl)
    assert f"font-family:{stack}" in css["html:lang(ur),html:lang(ur) :lang(ur)"]
    assert (
        f"font-family:{stack}"
        in rules((dist / "app.css").read_text(encoding="utf-8"))["html:lang(ur),html:lang(ur) :lang(ur)"]
    )
    # Nastaliq's tall letters need room: running text gets a line height of 1.8
    assert any(
        ":lang(ur) .govuk-body," in selector and "line-height:1.8" in declarations
        for selector, declarations in css.items()
    )


def test_css_has_no_crown_or_crest(dist: Path) -> None:
    for name in ("app.css", "app-rtl.css"):
        css = (dist / name).read_text(encoding="utf-8")
        assert not re.search(r"crown|crest", css, re.IGNORECASE)
    # Nothing points at GOV.UK Frontend's images or fonts (none are copied); the only files any
    # stylesheet names are the Urdu font's
    assert "url(" not in (dist / "app.css").read_text(encoding="utf-8")
    urls = set(re.findall(r"url\(([^)]*)\)", (dist / "app-rtl.css").read_text(encoding="utf-8")))
    assert urls == URDU_FONT_FILES
    assert not list(dist.rglob("govuk-*.svg"))
    assert {path.relative_to(dist).as_posix() for path in dist.rglob("*.woff*")} == URDU_FONT_FILES


def test_brand_colour_fills_the_header(dist: Path) -> None:
    css = rules((dist / "app.css").read_text(encoding="utf-8"))
    assert f"background-color:{BRAND_COLOUR}" in css[".app-header"]
    assert f"background-color:{BRAND_COLOUR}" in css[".app-service-navigation--inverse"]
    # The brand colour passes 4.5:1 on every background, so links use it too
    assert f"color:{BRAND_COLOUR}" in css[".govuk-link:link"]


def test_portal_classes_templates_need(dist: Path) -> None:
    css = rules((dist / "app.css").read_text(encoding="utf-8"))
    assert "overflow-x:auto" in css[".app-table-container"]
    for selector in (".app-header__name", ".app-language-switcher__list", ".app-main", ".htmx-indicator"):
        assert selector in css


def test_rtl_stylesheet_is_flipped(dist: Path) -> None:
    ltr = rules((dist / "app.css").read_text(encoding="utf-8"))
    rtl = rules((dist / "app-rtl.css").read_text(encoding="utf-8"))
    assert "margin-left:5px" in ltr[".govuk-button__start-icon"]
    assert "margin-right:5px" in rtl[".govuk-button__start-icon"]
    assert "margin-left" not in rtl[".govuk-button__start-icon"]
    assert "padding-left:20px" in ltr[".govuk-list--bullet"]
    assert "padding-right:20px" in rtl[".govuk-list--bullet"]
    separator = ".app-language-switcher__item:not(:last-child)"
    assert "margin-right:15px" in ltr[separator] and "border-right:" in ltr[separator]
    assert "margin-left:15px" in rtl[separator] and "border-left:" in rtl[separator]


def test_favicon_uses_the_brand_colour(dist: Path) -> None:
    svg = (dist / "favicon.svg").read_text(encoding="utf-8")
    assert f'fill="{BRAND_COLOUR}"' in svg
    assert ">TB</text>" in svg
    assert (dist / "icon-192.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_web_manifest(dist: Path) -> None:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "Test Borough care and support"
    assert manifest["short_name"] == "Test Borough"
    assert manifest["theme_color"] == BRAND_COLOUR
    for icon in manifest["icons"]:
        assert (dist / icon["src"]).is_file()


def test_logo_is_copied(dist: Path) -> None:
    assert (dist / "logo.svg").read_text(encoding="utf-8") == LOGO


def test_scripts(dist: Path) -> None:
    htmx = (dist / "htmx.min.js").read_text(encoding="utf-8")
    assert re.search(r'version:"2\.\d+\.\d+"', htmx)
    govuk = (dist / "govuk-frontend.min.js").read_text(encoding="utf-8")
    assert 'const version="5.14.0"' in govuk
    assert "initAll" in govuk and "export{" in govuk  # an ES module
    app = (dist / "app.js").read_text(encoding="utf-8")
    assert 'import { initAll } from "./govuk-frontend.min.js";' in app
    assert "htmx.config.includeIndicatorStyles = false;" in app
    assert "htmx.config.allowEval = false;" in app


def test_build_manifest_records_versions_and_files(dist: Path) -> None:
    manifest = json.loads((dist / "manifest-build.json").read_text(encoding="utf-8"))
    assert manifest["govuk_frontend"] == "5.14.0"
    assert manifest["htmx"].startswith("2.0.")
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["inputs_sha256"])
    assert manifest["branding"]["colour"] == BRAND_COLOUR
    assert manifest["urdu_font"] == "5.3.0"
    assert set(manifest["files"]) == built_files(dist) - {"manifest-build.json"}


def test_build_is_idempotent_and_checkable(dist: Path, settings: dict[str, str]) -> None:
    before = {path.name: path.stat().st_mtime_ns for path in dist.rglob("*")}
    again = run_build(dist, settings)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert {path.name: path.stat().st_mtime_ns for path in dist.rglob("*")} == before
    assert run_build(dist, settings, "--check").returncode == 0
    stale = run_build(dist, {**settings, "PORTAL_BRAND_NAME": "Another council"}, "--check")
    assert stale.returncode == 1
    assert "stale" in stale.stdout


def test_low_contrast_brand_colour_fails(tmp_path: Path, settings: dict[str, str]) -> None:
    result = run_build(tmp_path / "dist", {**settings, "PORTAL_BRAND_COLOUR": "#ffff00"})
    assert result.returncode == 1
    assert "PORTAL_BRAND_COLOUR #ffff00" in result.stderr
    assert "4.5:1" in result.stderr
    assert not (tmp_path / "dist" / "app.css").exists()


def test_gds_transport_font_stack_fails(tmp_path: Path, settings: dict[str, str]) -> None:
    result = run_build(tmp_path / "dist", {**settings, "PORTAL_FONT_STACK": '"GDS Transport", arial'})
    assert result.returncode == 1
    assert "GDS Transport" in result.stderr


def test_contrast_ratio(build_assets) -> None:
    assert build_assets.contrast_ratio("#ffffff", "#000000") == pytest.approx(21)
    assert build_assets.contrast_ratio("#1d70b8", "#ffffff") == pytest.approx(5.17, abs=0.01)
    # GOV.UK's default link colour stands in when a brand colour is too light for links
    palette = build_assets.brand_palette("#707070")
    assert palette.link == build_assets.GOVUK_LINK


def test_unsafe_logo_is_refused(build_assets, tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(build_assets.BuildError, match="script"):
        build_assets.checked_logo(logo)
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    with pytest.raises(build_assets.BuildError, match="event attributes"):
        build_assets.checked_logo(logo)


def test_missing_node_modules_says_to_run_npm_ci(build_assets, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(build_assets, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(build_assets.BuildError, match="npm ci"):
        build_assets.installed_versions()
