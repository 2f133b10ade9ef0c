"""Settings read from environment variables, with safe defaults for a laptop demo.

This module imports nothing from Flask so that build scripts and worker commands can read the
deployment's settings (its name, colours and font) without starting the web application.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _env(name: str, default: str) -> str:
    """Read one PORTAL_* variable, falling back to its default when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Branding:
    """The deployment's own look: never the GOV.UK crown or its typeface."""

    name: str
    short_name: str
    colour: str
    font_stack: str
    logo_path: Path | None

    @classmethod
    def from_env(cls) -> Branding:
        """Build the branding from PORTAL_BRAND_* variables."""
        colour = _env("PORTAL_BRAND_COLOUR", "#1d4f6e")
        if not _COLOUR.match(colour):
            raise ValueError(f"PORTAL_BRAND_COLOUR must look like #1d4f6e, not {colour!r}")
        logo = os.environ.get("PORTAL_BRAND_LOGO", "").strip()
        return cls(
            name=_env("PORTAL_BRAND_NAME", "Care and support self-assessment"),
            short_name=_env("PORTAL_BRAND_SHORT_NAME", "Care portal"),
            colour=colour.lower(),
            font_stack=_env(
                "PORTAL_FONT_STACK",
                '"Noto Sans", "Noto Sans Arabic", "Noto Nastaliq Urdu", Arial, sans-serif',
            ),
            logo_path=Path(logo) if logo else None,
        )
