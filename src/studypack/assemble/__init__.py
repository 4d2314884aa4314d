"""A validated manifest and its documents -> one `model.Pack` (pack.py).

Passages are found and corrected in the documents (passages); suggest.py
proposes a timeline from a document's dated sentences (``studypack suggest``).
"""
