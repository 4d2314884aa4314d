"""Two speed-ups of WeasyPrint 70 and pydyf 0.13 whose output is byte for byte the same.

Page references (``target-counter()``). The handout prints page numbers that
point elsewhere: the contents, "(page 12)" after a question's source, the
list of sources. WeasyPrint keeps, for every anchor, the page counters of the
page it was laid out on. Each time those change (the first time an anchor is
placed, and again when its page is laid out again)
``TargetCollector.cache_target_page_counters`` (``weasyprint/css/targets.py``)
looks for the boxes that print one of that anchor's counters by walking
*every* box of the document that prints a counter, for every anchor laid
out, and every marked index word has one. At 830 pages that walk was a fifth
of the layout time (29 s of about 150 s). `_cache_target_page_counters` does
the same, but finds those boxes in a table of them by anchor, built once the
boxes are all known (WeasyPrint adds none after its ``collecting`` phase).

pydyf's page references. ``pydyf.PDF.page_references`` builds the tuple of
every page's reference each time it is read, and WeasyPrint's PDF/UA tagging
(``weasyprint/pdf/tags.py``) reads it once per tagged element: writing takes
time that grows with pages x elements. `_page_references` remembers the tuple
until a page is added (measured by ``make bench``, docs/performance.md,
"pdf/ua-1 write").

Both are in place only inside `installed` (a layout, a PDF being written),
and only on the versions they were written for (`hooks.available`). The
tests compare the bytes with and without them.
"""

from __future__ import annotations

import copy
import threading
from contextlib import contextmanager
from typing import Iterator

from . import available

_depth = 0  # `installed` blocks open: the methods are WeasyPrint's own again when the last one closes
_originals: dict[str, object] = {}
_lock = threading.Lock()  # the preview's threads may lay out at once


def _lookups_by_anchor(collector) -> dict[str, list]:
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


def _page_references(pdf) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_studypack_page_references")
    if cached is None or cached[0] != len(kids):  # pages are only ever added
        cached = (len(kids), _originals["page_references"].fget(pdf))
        pdf.__dict__["_studypack_page_references"] = cached
    return cached[1]


@contextmanager
def installed() -> Iterator[None]:
    """Both speed-ups in place while in the block (blocks nest), on the versions they were written for."""
    global _depth
    if not available():
        yield
        return
    import pydyf
    from weasyprint.css.targets import TargetCollector  # a private module: only on the version known to have it

    with _lock:
        if _depth == 0:
            _originals["cache_target_page_counters"] = TargetCollector.cache_target_page_counters
            _originals["page_references"] = pydyf.PDF.page_references
            TargetCollector.cache_target_page_counters = _cache_target_page_counters
            pydyf.PDF.page_references = property(_page_references)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                TargetCollector.cache_target_page_counters = _originals["cache_target_page_counters"]
                pydyf.PDF.page_references = _originals["page_references"]
