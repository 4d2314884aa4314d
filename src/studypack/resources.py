"""Where the built-in templates and styles live.

In an installed wheel they are package data (``studypack/templates``,
``studypack/styles``, put there by hatchling's force-include) and found
through importlib.resources. In an editable install from a checkout the
package has no copy, so the checkout's top-level folders are used.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path


@cache
def builtin_dir(kind: str) -> Path:
    """The folder of built-in ``templates`` or ``styles``."""
    packaged = files("studypack").joinpath(kind)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / kind
    if checkout.is_dir():
        return checkout
    raise RuntimeError(f"studypack is installed without its {kind}/ folder")
