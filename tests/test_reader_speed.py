"""Reading stays linear in the size of the document, whatever the text holds.

Each adversarial text (long runs of note markers, quotation marks, brackets,
spaces, bullets, pandoc attribute braces, table rules) is read at one size and
at four times that size: a linear reader takes about four times as long, a
quadratic one sixteen. The bound (eight) is generous, so a loaded machine does
not fail it; each size is timed three times and the fastest run counts. A 1 MB
document of the same kinds reads in well under 2 s (measured: see docs/documents.md).
"""

from __future__ import annotations

import gc
import time

import pytest

from studypack.readers import read_text

ADVERSARIAL = {
    "markers": "[1]" * 200 + " x\n\n",
    "marker-lines": "[1] a note\n",
    "quotes": '"' * 300 + "\n\n",
    "single-quotes": "'a " * 200 + "\n\n",
    "brackets": "[" * 300 + "(" * 300 + "\n\n",
    "closing-brackets": "a" + ")" * 300 + "].\n\n",
    "spaces": "a" + " " * 500 + "b\n\n",
    "bullets": "- " * 300 + "\n",
    "pandoc": "[" * 100 + "]{" * 100 + "^" * 100 + "\n\n",
    "attributes": "[a]{#b " * 100 + "\n\n",
    "capitals": "ABC DEF. " * 60 + "\n\n",
    "stars": "a * " * 300 + "\n\n",
    "grid": "+" + "-+" * 200 + "\n" + "|" + " |" * 200 + "\n",
    "tabs": "a\t" * 100 + "\n" + "1\t" * 100 + "\n",
    "headings": "A Heading Line\n\n",
    "indented": "    Chapter 1. One\n\n",
    "dashes": "  ---- " * 50 + "\n",
}
SMALL = 40_000
RATIO = 8.0


def _fastest(text: str, suffix: str) -> float:
    """The fastest of three reads; the garbage collector paused, as its runs depend on all the
    process holds, not on this text."""
    best = float("inf")
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            start = time.perf_counter()
            read_text(text, "t", suffix=suffix)
            best = min(best, time.perf_counter() - start)
    finally:
        gc.enable()
    return best


def _ratio(small: str, large: str, suffix: str) -> float:
    base = max(_fastest(small, suffix), 0.005)  # below 5 ms a ratio is mostly noise
    return _fastest(large, suffix) / base


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_four_times_the_text_takes_about_four_times_as_long(name, suffix):
    unit = ADVERSARIAL[name]
    small = unit * (SMALL // len(unit))
    large = unit * (4 * SMALL // len(unit))
    ratio = _ratio(small, large, suffix)
    if ratio >= RATIO:
        ratio = min(ratio, _ratio(small, large, suffix))  # once more: other work on the machine may have run
    assert ratio < RATIO, f"{name} {suffix}: 4x the text took {ratio:.1f}x as long"
