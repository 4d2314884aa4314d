"""Makes epub-notes.epub with ebooklib: endnotes in a file of their own, and footnotes in an aside (see README.md)."""

from ebooklib import epub

book = epub.EpubBook()
book.set_identifier("studypack-test-epub-notes")
book.set_title("Letters from the Left Opposition")
book.set_language("en")
book.add_author("A. Editor")
one = epub.EpubHtml(title="Rakovsky", file_name="text/one.xhtml", lang="en")
one.content = (
    "<html xmlns='http://www.w3.org/1999/xhtml' xmlns:epub='http://www.idpf.org/2007/ops'><body>"
    "<header><h1>Rakovsky to Valentinov</h1></header>"
    "<p>Rakovsky wrote from Astrakhan in August 1928.<a epub:type='noteref' href='../notes/end.xhtml#en1'>1</a>"
    " The letter circulated in copies.</p>"
    "<aside class='box'><p>Astrakhan was a place of exile.</p></aside>"
    "</body></html>")
two = epub.EpubHtml(title="Sosnovsky", file_name="text/two.xhtml", lang="en")
two.content = (
    "<html xmlns='http://www.w3.org/1999/xhtml' xmlns:epub='http://www.idpf.org/2007/ops'><body>"
    "<h1>Sosnovsky’s notes</h1>"
    "<p>Sosnovsky described the “new bureaucracy”.<a role='doc-noteref' href='#fn-a'>*</a></p>"
    "<aside epub:type='footnote' role='doc-footnote' id='fn-a'><p>His articles of 1928 were copied by hand.</p></aside>"
    "<p>He was arrested again in 1929.</p>"
    "</body></html>")
notes = epub.EpubHtml(title="Notes", file_name="notes/end.xhtml", lang="en")
notes.content = (
    "<html xmlns='http://www.w3.org/1999/xhtml' xmlns:epub='http://www.idpf.org/2007/ops'><body>"
    "<section epub:type='endnotes' role='doc-endnotes'><h2>Notes</h2><ol>"
    "<li id='en1' epub:type='endnote' role='doc-endnote'><p>The date is the postmark’s.</p></li>"
    "</ol></section></body></html>")
for item in (one, two, notes):
    book.add_item(item)
book.toc = (one, two)
book.add_item(epub.EpubNcx())
book.add_item(epub.EpubNav())
book.spine = ["nav", one, two, notes]
epub.write_epub("epub-notes.epub", book)
