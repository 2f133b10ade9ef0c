"""Build the portal's front-end assets into static/dist/.

    npm ci                                        # once, and after package-lock.json changes
    .venv/bin/python scripts/build_assets.py      # builds static/dist/ (skips if up to date)
    .venv/bin/python scripts/build_assets.py --check   # exit 1 if static/dist/ is stale

The deployment's look comes from its settings (portal/settings.py, ``Branding.from_env()``,
i.e. the PORTAL_BRAND_* and PORTAL_FONT_STACK variables), so build again after changing them.

Output (static/dist/ is gitignored: it is built at install time, never committed):

- app.css, app-rtl.css: assets/scss/app.scss with GOV.UK Frontend, compiled by the `sass` npm
  package; the right-to-left copy (Urdu pages) is flipped by rtlcss. No GOV.UK crown or crest,
  no GDS Transport typeface: the deployment's font stack instead.
- govuk-frontend.min.js (+ .map), htmx.min.js, app.js, session-timeout.js, js-enabled.js: scripts, all served from
  static files.
- fonts/: the Urdu web font, Noto Nastaliq Urdu (woff2, Arabic and Latin subsets, regular and
  bold) from the npm package @fontsource/noto-nastaliq-urdu, with its licence (SIL OFL 1.1).
  Only app-rtl.css has its @font-face rules, so only Urdu pages download it.
- favicon.svg, icon-192.png, icon-512.png (when Pillow is installed), manifest.json, and
  logo.svg when PORTAL_BRAND_LOGO names an SVG file.
- manifest-build.json: versions, a hash of the inputs and a hash of each file, written last,
  so the app can tell when the assets are missing, stale or built for other branding.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from portal.settings import Branding  # noqa: E402

ASSETS = ROOT / "assets"
NODE_MODULES = ROOT / "node_modules"
DEFAULT_OUT = ROOT / "static" / "dist"
BUILD_MANIFEST = "manifest-build.json"
MANIFEST_SCHEMA = 1

# npm packages whose installed version must match the exact pin in package.json
PINNED_PACKAGES = (
    "govuk-frontend",
    "htmx.org",
    "sass",
    "rtlcss",
    "postcss",
    "@fontsource/noto-nastaliq-urdu",
)

GOVUK_JS = Path("govuk-frontend/dist/govuk/govuk-frontend.min.js")
HTMX_JS = Path("htmx.org/dist/htmx.min.js")

# The Urdu web font (SIL Open Font License 1.1: it may be redistributed with its licence).
# assets/scss/_portal.scss writes an @font-face for each of these into app-rtl.css.
URDU_FONT_PACKAGE = Path("@fontsource/noto-nastaliq-urdu")
URDU_FONT_FAMILY = "Noto Nastaliq Urdu"
URDU_FONT_FILES = tuple(
    f"noto-nastaliq-urdu-{subset}-{weight}-normal.woff2"
    for subset in ("arabic", "latin")
    for weight in (400, 700)
)
URDU_FONT_LICENCE = "noto-nastaliq-urdu-OFL.txt"
FONTS_DIR = "fonts"
# rtlcss `raw` directives: CSS that rtlcss adds to app-rtl.css only; the build drops them from app.css.
_RTL_RAW_DIRECTIVE = re.compile(r"/\*!\s*rtl:raw:.*?\*/", re.DOTALL)

# WCAG 2.2 AA: 4.5:1 for text, 3:1 for user-interface components such as focus indicators
AA_TEXT = 4.5
AA_NON_TEXT = 3.0
WHITE = "#ffffff"
GOVUK_FOCUS = "#ffdd00"  # GOV.UK Frontend's focus colour, kept as it is
GOVUK_LIGHT_GREY = "#f3f2f1"  # GOV.UK Frontend's template and footer background
GOVUK_LINK = "#1d70b8"  # GOV.UK Frontend's own link colours, used if the brand's fail
GOVUK_LINK_HOVER = "#003078"

GENERIC_FAMILIES = {
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "ui-serif",
    "ui-sans-serif",
    "ui-monospace",
    "ui-rounded",
    "math",
    "emoji",
    "fangsong",
}
_QUOTED_FAMILY = re.compile(r"""^(["'])([A-Za-z0-9 ._-]+)\1$""")
_UNQUOTED_FAMILY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*(?: [A-Za-z0-9_-]+)*$")

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_UNSAFE_SVG_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}


class BuildError(Exception):
    """A problem the person running the build can fix; its message says how."""


# --------------------------------------------------------------------------------------------
# Colours and contrast
# --------------------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def mix(first: str, second: str, weight: float) -> str:
    """Sass's mix(): `weight` of the first colour, the rest of the second."""
    a, b = _rgb(first), _rgb(second)
    return _hex(tuple(x * weight + y * (1 - weight) for x, y in zip(a, b, strict=True)))


def shade(colour: str, amount: float) -> str:
    """GOV.UK Frontend's govuk-shade(): mix with black."""
    return mix("#000000", colour, amount)


def tint(colour: str, amount: float) -> str:
    """GOV.UK Frontend's govuk-tint(): mix with white."""
    return mix(WHITE, colour, amount)


@dataclasses.dataclass(frozen=True)
class Palette:
    """The colours the stylesheet gets, after the contrast checks."""

    colour: str
    link: str
    link_hover: str
    link_is_brand: bool
    checks: dict[str, float]


def brand_palette(colour: str) -> Palette:
    """Check the brand colour's contrast and choose link colours.

    White text sits on the brand colour (header, inverse service navigation, notification
    banner titles, current page in pagination), so that must reach 4.5:1 or the build fails.
    Links take the brand colour only if it reaches 4.5:1 on every page background; otherwise
    they keep GOV.UK Frontend's blue. The yellow focus state stays, and must stand out 3:1
    against the brand colour where it is drawn on the header.
    """
    on_white = contrast_ratio(colour, WHITE)
    if on_white < AA_TEXT:
        darker = next(
            (
                shade(colour, step / 100)
                for step in range(5, 100, 5)
                if contrast_ratio(shade(colour, step / 100), WHITE) >= AA_TEXT + 0.1
            ),
            "#000000",
        )
        raise BuildError(
            f"PORTAL_BRAND_COLOUR {colour} gives a contrast ratio of only {on_white:.2f}:1 with white "
            f"text, and WCAG 2.2 AA needs at least {AA_TEXT}:1 (the header, service navigation and "
            f"banners put white text on the brand colour). Choose a darker colour: for example "
            f"{darker} ({contrast_ratio(darker, WHITE):.2f}:1) is a darker shade of the same colour."
        )
    focus = contrast_ratio(colour, GOVUK_FOCUS)
    if focus < AA_NON_TEXT:
        raise BuildError(
            f"PORTAL_BRAND_COLOUR {colour} gives only {focus:.2f}:1 against the yellow focus state "
            f"({GOVUK_FOCUS}); WCAG 2.2 AA needs {AA_NON_TEXT}:1 for it to show on the header."
        )
    backgrounds = {
        "white": WHITE,
        "light grey": GOVUK_LIGHT_GREY,
        "brand tint": tint(colour, 0.95),
    }
    checks = {"white text on brand": on_white, "focus yellow on brand": focus}
    for label, background in backgrounds.items():
        checks[f"brand link on {label}"] = contrast_ratio(colour, background)
    link_is_brand = all(checks[f"brand link on {label}"] >= AA_TEXT for label in backgrounds)
    if link_is_brand:
        return Palette(colour, colour, shade(colour, 0.4), True, checks)
    return Palette(colour, GOVUK_LINK, GOVUK_LINK_HOVER, False, checks)


# --------------------------------------------------------------------------------------------
# Branding inputs
# --------------------------------------------------------------------------------------------


def parse_font_stack(stack: str) -> list[str]:
    """Split a CSS font-family list into names, rejecting anything that is not one.

    Quoted names keep their quotes ("Noto Sans"); unquoted ones are plain words (Arial,
    sans-serif). GDS Transport is refused: it is GOV.UK's typeface, licensed to GOV.UK only.
    """
    families = [part.strip() for part in stack.split(",")]
    if not families or any(not family for family in families):
        raise BuildError(f"PORTAL_FONT_STACK {stack!r} is not a comma-separated list of font families")
    for family in families:
        quoted = _QUOTED_FAMILY.match(family)
        if not quoted and not _UNQUOTED_FAMILY.match(family):
            raise BuildError(
                f"PORTAL_FONT_STACK: {family!r} is not a font family name. Use names such as "
                f'"Noto Sans" (in quotes if they have spaces) or Arial, separated by commas.'
            )
        name = quoted.group(2) if quoted else family
        if "gds transport" in name.lower():
            raise BuildError(
                "PORTAL_FONT_STACK must not use GDS Transport: that typeface is for GOV.UK only."
            )
    normalised = [
        f'"{_QUOTED_FAMILY.match(family).group(2)}"' if _QUOTED_FAMILY.match(family) else family
        for family in families
    ]
    if normalised[-1].lower() not in GENERIC_FAMILIES:
        print(
            f"build_assets: warning: PORTAL_FONT_STACK does not end with a generic family "
            f"(e.g. sans-serif): {stack}",
            file=sys.stderr,
        )
    return normalised


def css_font_family(families: list[str]) -> str:
    """The font stack as it appears in the compressed stylesheet."""
    return ",".join(families)


def sass_font_family(families: list[str]) -> str:
    """The font stack as a Sass list. Unquoted names go through unquote() so that Sass
    cannot read them as anything else (a colour keyword such as `red`, say)."""
    return ", ".join(family if family.startswith('"') else f'unquote("{family}")' for family in families)


def initials(short_name: str) -> str:
    """Up to two initials from the short name: "Care portal" gives "CP"."""
    letters = []
    for word in short_name.split():
        letter = next((ch for ch in word if ch.isalnum()), "")
        if letter:
            letters.append(letter)
    return "".join(letters[:2]).upper() or "?"


def resolve_logo(branding: Branding) -> Path | None:
    """The logo file, if PORTAL_BRAND_LOGO is set (relative paths are from the repository)."""
    if branding.logo_path is None:
        return None
    path = branding.logo_path if branding.logo_path.is_absolute() else ROOT / branding.logo_path
    if not path.is_file():
        raise BuildError(f"PORTAL_BRAND_LOGO names {path}, which is not a file")
    if path.suffix.lower() != ".svg":
        raise BuildError(f"PORTAL_BRAND_LOGO must be an SVG file, not {path.name}")
    return path


def checked_logo(path: Path) -> bytes:
    """The logo's bytes, once it is known to be a plain SVG image with nothing active in it.

    logo.svg is served from the portal's own origin, where an SVG opened directly could run
    script; so scripts, event attributes, embedded documents and outside links are refused.
    """
    data = path.read_bytes()
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise BuildError(f"{path}: the logo must not contain a DOCTYPE or entities")
    try:
        root = ET.fromstring(data)  # noqa: S314 - entities refused above
    except ET.ParseError as error:
        raise BuildError(f"{path}: the logo is not well-formed SVG ({error})") from error
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BuildError(f"{path}: the logo's root element must be <svg> in the SVG namespace")
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""
        if local in _UNSAFE_SVG_ELEMENTS:
            raise BuildError(f"{path}: the logo must not contain <{local}>")
        for name, value in element.attrib.items():
            attribute = name.rsplit("}", 1)[-1]
            if attribute.lower().startswith("on"):
                raise BuildError(f"{path}: the logo must not have event attributes ({attribute})")
            if (name in ("href", XLINK_HREF)) and not (
                value.startswith("#") or value.startswith("data:image/")
            ):
                raise BuildError(f"{path}: the logo must not link to other files ({value})")
    return data


# --------------------------------------------------------------------------------------------
# npm packages
# --------------------------------------------------------------------------------------------


def installed_versions() -> dict[str, str]:
    """Versions of the pinned npm packages, checked against package.json."""
    if not NODE_MODULES.is_dir():
        raise BuildError(f"node_modules is missing: run `npm ci` in {ROOT} first")
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    wanted = {**pins.get("dependencies", {}), **pins.get("devDependencies", {})}
    versions = {}
    for package in PINNED_PACKAGES:
        manifest = NODE_MODULES / package / "package.json"
        if not manifest.is_file():
            raise BuildError(f"node_modules has no {package}: run `npm ci` in {ROOT}")
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if wanted.get(package) != version:
            raise BuildError(
                f"node_modules has {package} {version} but package.json pins {wanted.get(package)}: "
                f"run `npm ci` in {ROOT}"
            )
        versions[package] = version
    return versions


def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise BuildError("Node.js is not on PATH: install Node 20.19 or later, then run `npm ci`")
    return node


# --------------------------------------------------------------------------------------------
# Build steps
# --------------------------------------------------------------------------------------------


def brand_module(palette: Palette, families: list[str], static_url: str) -> str:
    """Source of the `portal:brand` Sass module that assets/scss/app.scss uses."""
    return (
        "// Generated by scripts/build_assets.py from the deployment's settings.\n"
        f"$colour: {palette.colour};\n"
        f"$font-family: {sass_font_family(families)};\n"
        f"$link-colour: {palette.link};\n"
        f"$link-hover-colour: {palette.link_hover};\n"
        f"$assets-path: {json.dumps(static_url)};\n"
    )


def compile_css(stage: Path, brand_scss: str) -> dict:
    """Run assets/build/compile-css.mjs: Sass, then crown removal, then rtlcss."""
    job = {
        "entry": str(ASSETS / "scss" / "app.scss"),
        "brand": brand_scss,
        "loadPaths": [str(NODE_MODULES)],
        "outDir": str(stage),
    }
    result = subprocess.run(
        [node_executable(), str(ASSETS / "build" / "compile-css.mjs")],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"compiling assets/scss/app.scss failed:\n{result.stderr.strip()}")
    report = json.loads(result.stdout)
    for warning in report.get("warnings", []):
        print(f"build_assets: sass warning: {warning}", file=sys.stderr)
    return report


def check_css(css: str, families: list[str]) -> None:
    """Refuse a stylesheet that would show GOV.UK-only branding or lacks the font stack."""
    if css_font_family(families) not in css:
        raise BuildError("app.css does not use the deployment's font stack: check assets/scss/app.scss")
    if re.search(r"GDS Transport|@font-face", css, re.IGNORECASE):
        raise BuildError("app.css contains GDS Transport or an @font-face: check assets/scss/app.scss")
    if re.search(r"crown|crest", css, re.IGNORECASE):
        raise BuildError("app.css refers to the GOV.UK crown or crest: check assets/build/compile-css.mjs")
    urls = re.findall(r"url\(([^)]*)\)", css)
    if urls:
        raise BuildError(f"app.css refers to files that are not built: {', '.join(sorted(set(urls)))}")


def check_rtl_css(css: str, families: list[str], built: set[str]) -> None:
    """app-rtl.css may also hold the Urdu web font's @font-face rules, pointing at files the build copied."""
    if css_font_family(families) not in css:
        raise BuildError("app-rtl.css does not use the deployment's font stack: check assets/scss/app.scss")
    if re.search(r"GDS Transport|crown|crest", css, re.IGNORECASE):
        raise BuildError("app-rtl.css refers to GDS Transport or the GOV.UK crown or crest")
    faces = re.findall(r"@font-face\{([^{}]*)\}", css)
    if css.count("@font-face") != len(faces):
        raise BuildError("app-rtl.css has an @font-face rule the build cannot read")
    for face in faces:
        family = re.search(r"font-family:\s*(\"[^\"]*\"|'[^']*'|[^;]+)", face)
        if not family or family.group(1).strip("\"'") != URDU_FONT_FAMILY:
            raise BuildError(f"app-rtl.css has an @font-face for a font the build does not ship: {face}")
        if "font-display:swap" not in face.replace(" ", ""):
            raise BuildError(
                f"app-rtl.css: the @font-face for {URDU_FONT_FAMILY} must use font-display: swap"
            )
    for url in re.findall(r"url\(([^)]*)\)", css):
        name = url.strip("\"' ")
        if name not in built:
            raise BuildError(
                f"app-rtl.css refers to {name}, which the build does not copy: add it to URDU_FONT_FILES "
                f"in scripts/build_assets.py or remove it from assets/scss/_portal.scss"
            )


def urdu_font_files() -> dict[str, bytes]:
    """The Urdu web font's woff2 files and licence, as `fonts/<name>` for static/dist/."""
    package = NODE_MODULES / URDU_FONT_PACKAGE
    files: dict[str, bytes] = {}
    for name in URDU_FONT_FILES:
        path = package / "files" / name
        if not path.is_file():
            raise BuildError(f"{path} is missing: run `npm ci` in {ROOT}")
        files[f"{FONTS_DIR}/{name}"] = path.read_bytes()
    licence = package / "LICENSE"
    if not licence.is_file():
        raise BuildError(f"{licence} is missing: run `npm ci` in {ROOT}")
    files[f"{FONTS_DIR}/{URDU_FONT_LICENCE}"] = licence.read_bytes()
    return files


def favicon_svg(branding: Branding, families: list[str]) -> str:
    template = string.Template((ASSETS / "icons" / "favicon-template.svg").read_text(encoding="utf-8"))
    letters = initials(branding.short_name)
    return template.substitute(
        colour=branding.colour,
        text_colour=WHITE,
        font_family=escape(", ".join(families), {'"': "&quot;"}),
        font_size="36" if len(letters) == 1 else "28",
        initials=escape(letters),
    )


def pillow_version() -> str | None:
    try:
        import PIL
    except ImportError:
        return None
    return PIL.__version__


def icon_png(size: int, colour: str, letters: str) -> bytes:
    """A PNG of the favicon's design, drawn with Pillow (no SVG renderer needed)."""
    from PIL import Image, ImageDraw, ImageFont

    scale = size / 64
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(12 * scale), fill=colour)
    font_size = round((36 if len(letters) == 1 else 28) * scale)
    font = ImageFont.load_default(size=font_size)
    if not letters.isascii():
        # Pillow's built-in font is Latin only; try common system fonts for other scripts
        for candidate in ("NotoSans-Bold.ttf", "NotoSansArabic-Bold.ttf", "DejaVuSans-Bold.ttf"):
            try:
                font = ImageFont.truetype(candidate, font_size)
                break
            except OSError:
                continue
    draw.text((size / 2, size / 2), letters, fill=WHITE, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def web_manifest(branding: Branding, pngs: list[int]) -> str:
    icons = [{"src": "favicon.svg", "sizes": "any", "type": "image/svg+xml"}]
    icons += [{"src": f"icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"} for size in pngs]
    manifest = {
        "name": branding.name,
        "short_name": branding.short_name,
        "theme_color": branding.colour,
        "background_color": WHITE,
        "display": "browser",
        "icons": icons,
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------------------------
# Inputs hash, staleness, writing
# --------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def input_hash(branding: Branding, logo: Path | None, versions: dict[str, str], static_url: str) -> str:
    """A hash of everything the output depends on."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("script", Path(__file__).read_bytes())
    for path in sorted(p for p in ASSETS.rglob("*") if p.is_file()):
        add(f"asset:{path.relative_to(ASSETS).as_posix()}", path.read_bytes())
    for name in ("package.json", "package-lock.json"):
        lock = ROOT / name
        add(name, lock.read_bytes() if lock.is_file() else b"")
    add("versions", json.dumps(versions, sort_keys=True).encode())
    add("branding", json.dumps(branding_record(branding), sort_keys=True).encode())
    add("logo", logo.read_bytes() if logo else b"")
    add("static_url", static_url.encode())
    add("pillow", (pillow_version() or "none").encode())
    return digest.hexdigest()


def branding_record(branding: Branding) -> dict[str, object]:
    return {
        "name": branding.name,
        "short_name": branding.short_name,
        "colour": branding.colour,
        "font_stack": branding.font_stack,
        "logo": str(branding.logo_path) if branding.logo_path else None,
    }


def read_build_manifest(out: Path) -> dict | None:
    try:
        return json.loads((out / BUILD_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(out: Path, expected_hash: str) -> str | None:
    """Why the built assets in `out` cannot be used as they are, or None if they can."""
    manifest = read_build_manifest(out)
    if manifest is None:
        return f"{out / BUILD_MANIFEST} is missing or unreadable"
    if manifest.get("schema") != MANIFEST_SCHEMA or manifest.get("inputs_sha256") != expected_hash:
        return "the inputs (assets/, package-lock.json, branding settings or this script) have changed"
    for name, digest in manifest.get("files", {}).items():
        path = out / name
        if not path.is_file():
            return f"{path} is missing"
        if sha256(path.read_bytes()) != digest:
            return f"{path} has been changed since the build"
    return None


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` in one step (the app may be serving it), leaving it alone if unchanged."""
    if path.is_file() and path.read_bytes() == data:
        os.chmod(path, 0o644)
        return
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)  # readable by the web server, like any static file
    os.replace(handle.name, path)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def build(out: Path, static_url: str, *, force: bool, check_only: bool) -> int:
    try:
        branding = Branding.from_env()
    except ValueError as error:
        raise BuildError(str(error)) from error
    versions = installed_versions()
    families = parse_font_stack(branding.font_stack)
    palette = brand_palette(branding.colour)
    logo = resolve_logo(branding)
    logo_bytes = checked_logo(logo) if logo else None
    expected_hash = input_hash(branding, logo, versions, static_url)

    reason = stale_reason(out, expected_hash)
    if check_only:
        if reason:
            print(f"build_assets: {out} is stale: {reason}. Run: .venv/bin/python scripts/build_assets.py")
            return 1
        print(f"build_assets: {out} is up to date")
        return 0
    if reason is None and not force:
        print(f"build_assets: {out} is up to date")
        return 0

    out.mkdir(parents=True, exist_ok=True)
    previous = read_build_manifest(out) or {}
    # Until the new manifest is written, the app sees the assets as missing, not as current
    (out / BUILD_MANIFEST).unlink(missing_ok=True)

    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out) as stage_name:
        stage = Path(stage_name)
        report = compile_css(stage, brand_module(palette, families, static_url))
        # The rtlcss directives have done their work (in app-rtl.css); they are not CSS for app.css
        ltr = _RTL_RAW_DIRECTIVE.sub("", (stage / "app.css").read_text(encoding="utf-8"))
        files["app.css"] = ltr.encode("utf-8")
        files["app-rtl.css"] = (stage / "app-rtl.css").read_bytes()
    files.update(urdu_font_files())
    check_css(files["app.css"].decode("utf-8"), families)
    check_rtl_css(files["app-rtl.css"].decode("utf-8"), families, set(files))

    files["govuk-frontend.min.js"] = (NODE_MODULES / GOVUK_JS).read_bytes()
    govuk_map = NODE_MODULES / GOVUK_JS.with_name(GOVUK_JS.name + ".map")
    if govuk_map.is_file():
        files["govuk-frontend.min.js.map"] = govuk_map.read_bytes()
    files["htmx.min.js"] = (NODE_MODULES / HTMX_JS).read_bytes()
    files["app.js"] = (ASSETS / "js" / "app.js").read_bytes()
    # the first thing in <body>: marks the page as scripted before it is drawn (GOV.UK Frontend's js-enabled)
    files["js-enabled.js"] = (ASSETS / "js" / "js-enabled.js").read_bytes()
    # app.js imports it: the warning before a signed-in session ends
    files["session-timeout.js"] = (ASSETS / "js" / "session-timeout.js").read_bytes()

    files["favicon.svg"] = favicon_svg(branding, families).encode("utf-8")
    pngs: list[int] = []
    if pillow_version():
        for size in (192, 512):
            files[f"icon-{size}.png"] = icon_png(size, branding.colour, initials(branding.short_name))
            pngs.append(size)
    else:
        print("build_assets: Pillow is not installed, so icon-192.png and icon-512.png are skipped")
    files["manifest.json"] = web_manifest(branding, pngs).encode("utf-8")
    if logo_bytes is not None:
        files["logo.svg"] = logo_bytes

    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out / name, data)
    # Files an earlier build made that this one did not (e.g. logo.svg once the logo is unset)
    for name in set(previous.get("files", {})) - set(files):
        folder, _, base = name.rpartition("/")
        if folder in ("", FONTS_DIR) and base and not base.startswith("."):
            (out / name).unlink(missing_ok=True)

    manifest = {
        "schema": MANIFEST_SCHEMA,
        "govuk_frontend": versions["govuk-frontend"],
        "htmx": versions["htmx.org"],
        "sass": versions["sass"],
        "rtlcss": versions["rtlcss"],
        "urdu_font": versions[URDU_FONT_PACKAGE.as_posix()],
        "inputs_sha256": expected_hash,
        "static_url": static_url,
        "branding": branding_record(branding),
        "link_colour": palette.link,
        "contrast": {label: round(ratio, 2) for label, ratio in palette.checks.items()},
        "removed_govuk_rules": sorted(set(report.get("removedRules", []))),
        "files": {name: sha256(data) for name, data in sorted(files.items())},
    }
    write_atomic(
        out / BUILD_MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    )
    note = (
        ""
        if palette.link_is_brand
        else " (links keep GOV.UK blue: the brand colour is too light on some backgrounds)"
    )
    print(f"build_assets: built {len(files)} files into {out}{note}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build static/dist/ from assets/ and node_modules/.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: static/dist)")
    parser.add_argument(
        "--static-url",
        default="/static/dist/",
        help="URL the output folder is served from, ending in / (default: /static/dist/)",
    )
    parser.add_argument("--force", action="store_true", help="build even if the output is up to date")
    parser.add_argument("--check", action="store_true", help="only report whether the output is up to date")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z0-9/._~:-]*/", args.static_url):
        parser.error("--static-url must be a plain URL path ending with /, such as /static/dist/")
    try:
        return build(args.out.resolve(), args.static_url, force=args.force, check_only=args.check)
    except BuildError as error:
        print(f"build_assets: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
