"""Generators of packs for the benchmark: copies of the sample packs, and large packs.

A large pack is a sample pack whose parts are repeated: copy ``n`` of each
part gets " (n)" after its title and "-n" after every source id, and the
questions of its worksheet refer to the sources of their own copy. The
documents and commentary files are the sample's, unchanged, so every source
still passes the quote-fidelity check. Run as a script to make one:

    python bench/gen.py packs/power-struggle 10 /tmp/big
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from ruamel.yaml import YAML

REFERENCE = re.compile(r"\[\[([^\]|]+)(\|[^\]]*)?\]\]")


def _yaml() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    return yaml


def _source_ids(parts: list) -> set[str]:
    ids = set()
    for part in parts:
        for item in part.get("items", []):
            if "source" in item and "id" in item:
                ids.add(item["id"])
        if "source" in part and "id" in part:
            ids.add(part["id"])
    return ids


def _rename(value, ids: set[str], suffix: str):
    """A copy of a YAML value with every [[id]] reference and source id given ``suffix``."""
    if isinstance(value, str):
        return REFERENCE.sub(lambda m: f"[[{m.group(1)}{suffix if m.group(1) in ids else ''}{m.group(2) or ''}]]", value)
    if isinstance(value, list):
        return [f"{v}{suffix}" if isinstance(v, str) and v in ids else _rename(v, ids, suffix) for v in value]
    if isinstance(value, dict):
        out = dict(value)
        for key in list(out):
            if key == "id" and out[key] in ids:
                out[key] = f"{out[key]}{suffix}"
            elif key in ("commentary", "path") and isinstance(out[key], str) and out[key].endswith(".md"):
                continue  # a file name, not Markdown
            else:
                out[key] = _rename(out[key], ids, suffix)
        return out
    return value


def _with_ids(parts: list) -> list:
    """The parts with an id on every source (repeating a part must not repeat an implicit id)."""
    count = 0
    for part in parts:
        for item in [part, *part.get("items", [])]:
            if "source" in item and "id" not in item:
                count += 1
                item["id"] = f"bench-source-{count}"
    return parts


def make_copy(sample: Path, dest: Path, name_suffix: str = "") -> Path:
    """A copy of a sample pack at ``dest`` (its title given ``name_suffix``, so the packs differ)."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(sample, dest, ignore=shutil.ignore_patterns(".*"))
    if name_suffix:
        yaml = _yaml()
        data = yaml.load(sample / "pack.yaml")
        data["title"] = f"{data['title']}{name_suffix}"
        yaml.dump(data, dest / "pack.yaml")
    return dest


def make_without_index(sample: Path, dest: Path) -> Path:
    """A copy of a sample pack without glossary and who's who, so its handout has no index.

    The index is what makes the PDF writer lay a handout out twice; this copy
    shows what a build costs with one layout.
    """
    make_copy(sample, dest)
    yaml = _yaml()
    data = yaml.load(sample / "pack.yaml")
    for key in ("glossary", "people"):
        data.pop(key, None)
    yaml.dump(data, dest / "pack.yaml")
    return dest


def make_large(sample: Path, copies: int, dest: Path) -> Path:
    """A pack at ``dest`` whose parts are the sample's, repeated ``copies`` times."""
    make_copy(sample, dest)
    yaml = _yaml()
    data = yaml.load(sample / "pack.yaml")
    parts = _with_ids(list(data["parts"]))
    ids = _source_ids(parts)
    repeated = []
    for n in range(1, copies + 1):
        for part in parts:
            if n == 1:
                repeated.append(part)
                continue
            twin = _rename(part, ids, f"-{n}")
            twin["title"] = f"{part['title']} ({n})"
            repeated.append(twin)
    data["parts"] = repeated
    data["title"] = f"{data['title']} (×{copies})"
    data["labels"] = "numbers"  # hundreds of sources: numbers read better than AA, AB, ...
    yaml.dump(data, dest / "pack.yaml")
    return dest


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python bench/gen.py SAMPLE_PACK COPIES DEST")
    print(make_large(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])))
