"""Layout: the one package that drives WeasyPrint (and pydyf, through it).

The writers ask it for a laid-out handout; nothing outside this package
imports WeasyPrint or pydyf. Importing the package itself imports neither:
`pagemap` (plain data the PDF and EPUB writers share) and `fonts` are light.

- `engine`: WeasyPrint's public API: a layout, a PDF, its log, the sandboxed URL fetcher;
- `handout`: a handout laid out, its index set with the real page runs, its page map;
- `index`, `cut`: the index set alone, and the part of a handout's HTML laid out alone;
- `pieces`, `process`, `pdfjoin`, `pdfobjects`: a long handout laid out in pieces, each in a
  process of its own, and their PDFs joined;
- `pagemap`: which pages of the handout each block of its text is on (plain data);
- `fonts`: the print fonts, and whether they can set the pack's text;
- `cover`: an e-book's cover image;
- `hooks`: every private read and patch of WeasyPrint and pydyf, behind one version check.
"""
