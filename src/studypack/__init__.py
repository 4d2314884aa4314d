"""studypack: printable study packs and e-books from primary-source documents."""

__version__ = "0.1.0"
