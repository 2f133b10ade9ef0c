"""Benchmark: full engine estimates per second on one core.

Loads the 1,500 Needs Profiles of tests/engine/data/ras_cases_train.csv and the demo configuration, then runs
full estimates (lines, funding split, reasons and "what would change it") over all of them and prints
"N estimates/s": the best of several passes with one configuration (as in a long-running worker, whose
per-configuration caches are warm), the median, and a first pass on a freshly loaded configuration (cold caches).

The warm pass estimates the same profiles again, so the per-area memo (``calculator._area_entry``) answers every
area from memory. A worker's real traffic is mostly people it has not estimated before, so the last line also
compares, on the second half of the profiles, a first pass against a pass by a worker that has already served
the first half: what a new person costs a worker that has been running a while.
Run: ``.venv/bin/python bench/engine.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.engine import Configuration, NeedsProfile, demo_configuration, estimate  # noqa: E402

CASES = ROOT / "tests" / "engine" / "data" / "ras_cases_train.csv"


def load_profiles(path: Path = CASES) -> list[NeedsProfile]:
    """The Needs Profiles of a cases CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [NeedsProfile.from_mapping(row, extra="ignore") for row in csv.DictReader(handle)]


def run_once(profiles: list[NeedsProfile], config: Configuration) -> float:
    """Seconds to estimate every profile once (full estimates: lines, split, reasons, what would change)."""
    start = time.perf_counter()
    for profile in profiles:
        result = estimate(profile, config)
        if not result.lines or result.total_weekly_pence < 0:
            raise AssertionError("bad estimate")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print estimates per second."""
    parser = argparse.ArgumentParser(description="Engine estimates per second on one core.")
    parser.add_argument("--runs", type=int, default=7, help="timed passes over the profiles (default 7)")
    args = parser.parse_args(argv)
    profiles = load_profiles()
    n = len(profiles)
    gc.collect()
    cold = [n / run_once(profiles, demo_configuration()) for _ in range(3)]
    config = demo_configuration()
    run_once(profiles, config)  # warm-up
    rates = [n / run_once(profiles, config) for _ in range(args.runs)]
    print(f"{max(rates):,.0f} estimates/s")
    print(
        f"  best of {args.runs} passes over {n} profiles with warm caches; median {statistics.median(rates):,.0f}/s; "
        f"first pass on a freshly loaded configuration (cold caches): best {max(cold):,.0f}/s"
    )
    print(f"  first pass / warm pass, both best, this run: {max(cold) / max(rates):.2f}x")
    half = n // 2
    seen, new = profiles[:half], profiles[half:]
    first, served = [], []
    for _ in range(5):
        gc.collect()
        first.append(len(new) / run_once(new, demo_configuration()))
        config = demo_configuration()
        run_once(seen, config)
        gc.collect()
        served.append(len(new) / run_once(new, config))
    print(
        f"  new people: first pass {max(first):,.0f}/s; after serving {half} others {max(served):,.0f}/s; "
        f"first / served {max(first) / max(served):.2f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
