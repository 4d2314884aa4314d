"""A fix for WeasyPrint's page references (``target-counter()``), whose cost grows with anchors x references.

The handout prints page numbers that point elsewhere: the contents, "(page 12)"
after a question's source, the list of sources. WeasyPrint keeps, for every
anchor, the page counters of the page it was laid out on. Each time those
change (the first time an anchor is placed, and again when its page is laid
out again) ``TargetCollector.cache_target_page_counters``
(``weasyprint/css/targets.py``) looks for the boxes that print one of that
anchor's counters by walking *every* box of the document that prints a
counter, for every anchor laid out, and every marked index word has one. At
830 pages that walk was a fifth of the layout time (29 s of about 150 s).

`install` replaces the method with one that does the same, but finds those
boxes in a table of them by anchor, built once the boxes are all known
(WeasyPrint adds none after its ``collecting`` phase). Nothing else changes:
the PDF is byte for byte the same, which the tests check against WeasyPrint
without the fix.
"""

from __future__ import annotations

import copy

import weasyprint
from weasyprint.css.targets import TargetCollector

# The WeasyPrint versions whose method this replaces was read and measured; with another, `install` does nothing.
FIXES_WEASYPRINT = ("70",)

_ORIGINAL = TargetCollector.cache_target_page_counters


def _lookups_by_anchor(collector: TargetCollector) -> dict[str, list]:
    """Anchor -> the boxes' counter lookups that print one of its counters in their content."""
    table = collector.__dict__.get("_studypack_lookups")
    if table is None:
        table = {}
        for (_, css_token), lookup in collector.counter_lookup_items.items():
            if css_token == "content":
                for anchor in lookup.missing_target_counters:
                    table.setdefault(anchor, []).append(lookup)
        collector.__dict__["_studypack_lookups"] = table
    return table


def _cache_target_page_counters(self, anchor_name, page_counter_values, page_maker_index, page_maker):
    # WeasyPrint's own steps, in its order; only the boxes to tell come from the table.
    if self.collecting:
        return
    target = self.target_lookup_items.get(anchor_name)
    if not target or target.state != "up-to-date":
        return
    target.page_maker_index = page_maker_index
    if target.cached_page_counter_values == page_counter_values:
        return
    target.cached_page_counter_values = copy.deepcopy(page_counter_values)
    for lookup in _lookups_by_anchor(self).get(anchor_name, ()):
        if lookup.page_maker_index is None or lookup.page_maker_index >= len(page_maker):
            lookup.pending = True
            continue
        for name in lookup.missing_target_counters[anchor_name]:
            if page_counter_values.get(name) is not None:
                page_maker[lookup.page_maker_index][-1]["content_changed"] = True
                lookup.parse_again(lookup.cached_page_counter_values)
                break


def install() -> None:
    """Find the boxes to tell in a table (idempotent), on the WeasyPrint versions this was made for."""
    if weasyprint.__version__.split(".")[0] in FIXES_WEASYPRINT:
        TargetCollector.cache_target_page_counters = _cache_target_page_counters


def uninstall() -> None:
    """WeasyPrint as it was (for measuring the gain, and for the test that compares the bytes)."""
    TargetCollector.cache_target_page_counters = _ORIGINAL
