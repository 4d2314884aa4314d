"""The raw ebooklib baseline: write the text of a pack's HTML as an EPUB with ebooklib alone.

    python bench/raw_ebooklib.py PACK.html OUT.epub

What an EPUB costs at the least: one chapter holding the HTML's body, no
templates, no page list, no cover, no checks. The benchmark runs it as a
process (interpreter start and the ebooklib import included), as it runs
WeasyPrint's own command line for the PDF baseline.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ebooklib import epub


def main(html_path: str, out_path: str) -> None:
    html = Path(html_path).read_text(encoding="utf-8")
    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S)
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    book = epub.EpubBook()
    book.set_identifier("bench")
    book.set_title(title.group(1) if title else "Pack")
    book.set_language("en")
    chapter = epub.EpubHtml(title="Pack", file_name="pack.xhtml", lang="en")
    chapter.content = body.group(1) if body else html
    book.add_item(chapter)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.toc = [chapter]
    book.spine = ["nav", chapter]
    epub.write_epub(out_path, book)


if __name__ == "__main__":
    main(*sys.argv[1:3])
