"""Write the slowest tests of a run (pytest's JUnit XML) into docs/testing.md, between its markers.

Usage: python bench/test_durations.py JUNIT_XML DOC_MD  (what `make durations` runs).
A growing suite is noticed here, in a diff, rather than in CI's time limit.
"""

from __future__ import annotations

import platform
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

START, END = "<!-- durations:start -->", "<!-- durations:end -->"
SHOWN = 25


def table(junit: Path) -> str:
    """The markdown block: the run's totals and its slowest tests."""
    suites = ET.parse(junit).getroot()
    cases = [(float(c.get("time", 0)), f"{c.get('classname', '')}::{c.get('name', '')}") for c in suites.iter("testcase")]
    cases.sort(reverse=True)
    suite = suites if suites.tag == "testsuite" else suites.find("testsuite")
    wall = float(suite.get("time", 0)) if suite is not None else 0.0
    lines = [
        f"Latest run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {len(cases)} tests, "
        f"{wall:.0f} s wall on {platform.machine()} with 2 workers (pytest -n 2); "
        f"the test times add up to {sum(t for t, _ in cases):.0f} s.",
        "",
        "| seconds | test |",
        "| ---: | --- |",
    ]
    lines += [f"| {t:.1f} | `{name.removeprefix('tests.')}` |" for t, name in cases[:SHOWN]]
    return "\n".join(lines)


def main(junit: str, doc: str) -> None:
    """Replace the block between the markers of ``doc`` with the table of ``junit``."""
    path = Path(doc)
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        sys.exit(f"{doc}: has no {START} … {END} block")
    block = f"{START}\n{table(Path(junit))}\n{END}"
    path.write_text(re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:3])
