"""Part of a handout's HTML cut out to be laid out alone, numbered as it is in the handout.

Two layouts set part of a handout alone: a piece of a long handout
(layout/pieces.py) and the index, once its page runs are known
(layout/index.py). Both take the handout's HTML with the blocks of the body
outside the part kept, but empty and hidden (selectors of siblings such as
``.a + .b`` still match), and only the headings of the first block, the
title page, left: they set the running heads' strings. The last heading of
each kind before the part is copied there too, so that a running head
carried over into the part reads the same. The part's first block breaks to
a right or a left page as its first page is one in the handout, and the page
counter is set so that page has the handout's number; the pages before it
are dropped.
"""

from __future__ import annotations

import copy

import lxml.html

INDEX_ID = "index"
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def part_html(tree, start: int, end: int, first_page: int) -> tuple[str, int]:
    """The HTML of blocks ``start`` to ``end`` of the handout's body alone, its first page numbered
    ``first_page``; and the page of its own layout that is (1 for the title page's part)."""
    tree = copy.deepcopy(tree)
    body = tree.find("body")
    blocks = list(body)
    if start == 0:
        for block in blocks[end:]:
            _hide(block)
        return _serialise(tree), 1
    carried = _last_headings(blocks[1:start])
    for block in blocks[1:start] + blocks[end:]:
        _hide(block)
    headings_only(blocks[0])
    for heading in carried:  # on the pages that are dropped: they set the running heads' strings
        blocks[0].append(heading)
    right = first_page % 2 == 1  # page 1 is a right-hand page
    block = blocks[start]
    block.set("style", f"break-before: {'right' if right else 'left'}; " + (block.get("style") or ""))
    local = 3 if right else 2
    reset = tree.makeelement("style")
    reset.text = f"@page :first {{ counter-reset: page {first_page - local + 1}; }}"
    tree.find("head").append(reset)
    return _serialise(tree), local


def index_html(html: str, index_page: int) -> tuple[str, int] | None:
    """The HTML of the index alone (the last block of the body), numbered as page ``index_page``
    (1-based) onwards, and the page of the small layout it starts on; None if it can't be cut out."""
    tree = lxml.html.document_fromstring(html)
    body = tree.find("body")
    if body is None or len(body) < 2:
        return None
    if body[-1].get("id") != INDEX_ID:
        return None  # a template that does not end with the index: nothing to cut
    return part_html(tree, len(body) - 1, len(body), index_page)


def headings_only(block) -> None:
    """Empty the first block but for its headings: they set the running heads' strings
    (the pack's title); the rest (the contents, the name box) would only cost layout time.
    Were a string set by something else, the margin boxes would differ and the index not be spliced."""
    for element in list(block.iter()):
        if element is block or element.getparent() is None:
            continue
        if element.tag in HEADINGS:
            continue
        if any(d.tag in HEADINGS for d in element.iterdescendants()):
            continue
        element.drop_tree()


def _hide(block) -> None:
    """Empty a block and hide it; it stays, so that selectors of siblings match as in the handout.
    Its id goes: its anchor is laid out elsewhere."""
    for child in list(block):
        block.remove(child)
    block.text = None
    block.attrib.pop("id", None)
    block.set("style", "display: none")


def _last_headings(blocks) -> list:
    """Copies (without ids) of the last heading of each kind (tag and class) in ``blocks``, in their order."""
    last: dict[tuple, tuple[int, object]] = {}
    order = 0
    for block in blocks:
        for element in block.iter(*HEADINGS):
            last[(element.tag, element.get("class"))] = (order, element)
            order += 1
    copies = []
    for _, element in sorted(last.values(), key=lambda pair: pair[0]):
        twin = copy.deepcopy(element)
        twin.tail = None
        for node in twin.iter():
            node.attrib.pop("id", None)
        copies.append(twin)
    return copies


def _serialise(tree) -> str:
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
