"""``studypack preview``: the pack in a browser, rebuilt and reloaded as the teacher edits it.

A small HTTP server on the loopback interface (never another address) serves,
for each edition:

- ``/student/``: the HTML edition, exactly as ``build`` writes it, plus a
  toolbar and a script that reloads the page when the pack changes;
- ``/student/print/``: the print layout, as pictures of the PDF's pages;
- ``/student/print.pdf``: the PDF itself;
- ``/student/ebook/``: the EPUB's chapters one at a time, served from the
  book itself (``/student/ebook/FILE`` is the book's file FILE, and nothing
  else), each with links to the previous and the next;
- ``/student/book.epub``: the EPUB itself.

Every input of the pack is watched (see build/watch.py). On a change the pack is
read again and both editions' HTML rendered in memory; nothing is written to
disk. The PDF is laid out, and the EPUB made, only when a view asks for it. Open pages
learn of a new build through Server-Sent Events (``/_studypack/events``) and
reload. A build that fails shows its error in the page instead, escaped,
and the server carries on.
"""

from .pages import error_page
from .server import PreviewServer, preview
from .site import PreviewOptions, choose_pack

__all__ = ["PreviewOptions", "PreviewServer", "choose_pack", "error_page", "preview"]
