"""Every reach into WeasyPrint's and pydyf's internals, behind one version check.

studypack lays handouts out through WeasyPrint's public API (``HTML``,
``Document``, ``Page.anchors``). A few things it does need more, and read or
patch what WeasyPrint and pydyf keep to themselves; all of it lives in this
package, and nowhere else:

- `speedups`: page references found in a table, not by walking every box
  (``TargetCollector.cache_target_page_counters``); pydyf's page references
  remembered (``PDF.page_references``);
- `pages`: the page count told before the margin boxes are made (the index
  set alone, layout/index.py), and what the laid-out pages say that
  ``Page.anchors`` does not: which element is on which page (the EPUB's page
  list), the margin boxes' text, where a class set prints the names, which
  fonts set which characters (the print-font check);
- `pieces`: the margin boxes, target collector and link resolution of a
  handout laid out in pieces (layout/pieces.py).

They were written for, and are tested on, the versions in `WRITTEN_FOR`.
Every read and patch asks `available` first. On any other version none of
them is attempted, and the build goes on through the public API alone: the
handout is laid out whole and its index set by laying it out again, without
the speed-ups; the EPUB has no page list; the print-font check is skipped;
class sets, which need the page boxes to place the names, are refused with a
message. One warning line says so, once per process.
"""

from __future__ import annotations

import logging

import pydyf
import weasyprint

log = logging.getLogger(__name__)

# The versions whose internals this package reads (a prefix of the version string each).
WRITTEN_FOR = {"WeasyPrint": "70.", "pydyf": "0.13."}

# What is off on another version, for the warning.
WITHOUT_HOOKS = (
    "long handouts are laid out whole and their index by a second layout, without the layout speed-ups; "
    "EPUBs have no page list, the print-font check is skipped and class sets cannot be made"
)

_warned = False


def installed_versions() -> dict[str, str]:
    """The versions installed of the libraries whose internals the hooks read (by their `WRITTEN_FOR` names)."""
    return {"WeasyPrint": weasyprint.__version__, "pydyf": pydyf.__version__}


def available() -> bool:
    """Whether the installed WeasyPrint and pydyf are the versions the hooks were written for.

    The first time it is not so, one warning says which versions are
    installed, which the hooks want, and what is off (`WITHOUT_HOOKS`).
    """
    global _warned
    installed = installed_versions()
    if all(installed[name].startswith(prefix) for name, prefix in WRITTEN_FOR.items()):
        return True
    if not _warned:
        _warned = True
        have = ", ".join(f"{name} {version}" for name, version in installed.items())
        want = ", ".join(f"{name} {prefix}x" for name, prefix in WRITTEN_FOR.items())
        log.warning("%s installed, but studypack's layout hooks were written for %s: %s", have, want, WITHOUT_HOOKS)
    return False
