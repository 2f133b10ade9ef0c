"""How long the decision letter takes to render: the median of N renders after one warm-up.

    .venv/bin/python bench/letter.py [N]    # prints e.g. "letter 0.25 s (CPU 0.24 s)", then the same in Urdu

Target (issue 6): under 0.5 s a letter. The app is built with the test settings on an in-memory SQLite
database (nothing is queried); the letter is a full two-page one, with a breakdown, quoted reasons in
another language and two levels of sign-off.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.app import create_app  # noqa: E402
from portal.config import TestConfig  # noqa: E402


def sample(name: str) -> dict[str, Any]:
    """A decision letter as the practitioner side fills it."""
    return {
        "person_name": name,
        "reference": "NF-2026-000123",
        "organisation": {
            "name": "Northfield Council",
            "contact_email": "care@northfield.example.org",
            "contact_phone": "01234 567890",
        },
        "decided_on": date(2026, 11, 20),
        "weekly_pence": 24095,
        "yearly_pence": 1257270,
        "lines": [
            {
                "label": "Essential daily living tasks",
                "funder_label": "Northfield Council",
                "amount_pence": 15000,
                "detail": "which could provide 7 hours a week",
            },
            {
                "label": "Mental health and well-being",
                "funder_label": "NHS Northfield ICB",
                "amount_pence": 6095,
                "detail": "which could provide 3 hours a week",
            },
            {
                "label": "Getting out and about",
                "funder_label": "Northfield Council",
                "amount_pence": 3000,
                "detail": "",
            },
        ],
        "reasons": [
            "Mae angen help ar Sam bob bore i ymolchi a gwisgo.",
            "Mae ei ferch yn helpu gyda siopa bob wythnos.",
        ],
        "reason_written_in": "cy",
        "contribution_note": "",
        "review_rights": [
            {
                "funder_label": "Northfield Council",
                "ombudsman": "the Local Government and Social Care Ombudsman",
            },
            {
                "funder_label": "NHS Northfield ICB",
                "ombudsman": "the Parliamentary and Health Service Ombudsman",
            },
        ],
        "signed_off_by": [
            {"level": 2, "name": "Alex Assessor", "on": date(2026, 11, 18)},
            {"level": 3, "name": "Pat Approver", "on": date(2026, 11, 20)},
        ],
    }


def median_seconds(lang: str, name: str, runs: int) -> tuple[float, float]:
    """Median wall and CPU time of ``runs`` renders, after one that loads WeasyPrint and the fonts.

    The CPU time says what a render costs when the machine is busy with other work too.
    """
    from portal.pdf import render_pdf

    context = sample(name)
    render_pdf("decision_letter.html", lang=lang, title="Your care and support budget", **context)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        render_pdf("decision_letter.html", lang=lang, title="Your care and support budget", **context)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    config = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        wall, cpu = median_seconds("en", "Sam Taylor", runs)
        print(f"letter {wall:.2f} s (CPU {cpu:.2f} s)")
        wall, cpu = median_seconds("ur", "ثمینہ احمد", runs)
        print(f"letter in Urdu {wall:.2f} s (CPU {cpu:.2f} s)")


if __name__ == "__main__":
    main()
