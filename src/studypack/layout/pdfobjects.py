"""A PDF written object by object as bytes, for the joiner (layout/pdfjoin.py).

`Output` holds the new file's objects, as bytes, by number, and writes them
with object streams and a cross-reference stream, as WeasyPrint writes its
own; `Copier` writes the objects of one source PDF (opened with pikepdf) into
it as they are referred to, each once, with new numbers.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from decimal import Decimal
from typing import Iterable

import pikepdf
from pikepdf import Array, Dictionary, Name

OBJECTS_PER_STREAM = 200
NULL = b"null"


class JoinError(Exception):
    """A piece's PDF is not as WeasyPrint writes them."""


class Output:
    """The joined PDF's objects, as bytes, by number (0 is the free entry)."""

    def __init__(self) -> None:
        self.bodies: list[bytes | None] = [None]
        self.streams: dict[int, bytes] = {}

    def reserve(self) -> int:
        self.bodies.append(None)
        return len(self.bodies) - 1

    def put(self, number: int, body: bytes, data: bytes | None = None) -> None:
        self.bodies[number] = body
        if data is not None:
            self.streams[number] = data

    def add(self, body: bytes, data: bytes | None = None) -> int:
        number = self.reserve()
        self.put(number, body, data)
        return number

    def write(self, root: int, info: int | None) -> bytes:
        """The file: streams as objects of their own, the rest in object streams, a cross-reference stream."""
        if any(body is None for body in self.bodies[1:]):
            raise JoinError("an object was referred to but never written")
        identity = hashlib.md5()
        for body in self.bodies[1:]:
            identity.update(body)
        for data in self.streams.values():
            identity.update(data)
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
        packed = [n for n in range(1, len(self.bodies)) if n not in self.streams]
        for number in range(1, len(self.bodies)):
            if number in self.streams:
                entries[number] = (1, out.tell(), 0)
                data = self.streams[number]
                out.write(b"%d 0 obj\n%s\nstream\n" % (number, self.bodies[number]))
                out.write(data)
                out.write(b"\nendstream\nendobj\n")
        for start in range(0, len(packed), OBJECTS_PER_STREAM):
            group = packed[start:start + OBJECTS_PER_STREAM]
            stream_number = len(self.bodies) + start // OBJECTS_PER_STREAM
            offsets, bodies, at = [], [], 0
            for index, number in enumerate(group):
                offsets.append(b"%d %d" % (number, at))
                body = self.bodies[number] + b"\n"
                bodies.append(body)
                at += len(body)
                entries[number] = (2, stream_number, index)
            head = b" ".join(offsets) + b"\n"
            data = zlib.compress(head + b"".join(bodies))
            entries[stream_number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n<</Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d>>\nstream\n"
                      % (stream_number, len(group), len(head), len(data)))
            out.write(data)
            out.write(b"\nendstream\nendobj\n")
        xref = max(entries) + 1
        entries[xref] = (1, out.tell(), 0)
        rows = b"".join(
            bytes([kind]) + first.to_bytes(4, "big") + second.to_bytes(2, "big")
            for kind, first, second in (entries.get(n, (0, 0, 0)) for n in range(xref + 1))
        )
        data = zlib.compress(rows)
        digest = identity.hexdigest().encode()
        trailer = b"/Root %d 0 R" % root + (b" /Info %d 0 R" % info if info else b"")
        out.write(b"%d 0 obj\n<</Type /XRef /Size %d /W [1 4 2] %s /ID [<%s> <%s>] /Filter /FlateDecode /Length %d>>"
                  b"\nstream\n" % (xref, xref + 1, trailer, digest, digest, len(data)))
        out.write(data)
        out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % entries[xref][1])
        return out.getvalue()


class Copier:
    """Writes objects of one source PDF into the output as they are referred to, each once.

    ``seeded`` gives, for some of the source's objects, what a reference to
    them becomes instead (the output's page tree for the piece's own, null
    for a page the handout does not keep)."""

    def __init__(self, output: Output, seeded: dict[tuple[int, int], bytes]) -> None:
        self.output, self.seeded = output, seeded
        self.numbers: dict[tuple[int, int], int] = {}
        self.todo: list = []

    def ref(self, obj) -> bytes:
        key = obj.objgen
        if key in self.seeded:
            return self.seeded[key]
        number = self.numbers.get(key)
        if number is None:
            number = self.numbers[key] = self.output.reserve()
            self.todo.append(obj)
        return b"%d 0 R" % number

    def value(self, value) -> bytes:
        if isinstance(value, pikepdf.Object):
            if value.is_indirect:
                return self.ref(value)
            if isinstance(value, Dictionary):
                return self._dictionary(value.items())
            if isinstance(value, Array):
                return b"[" + b" ".join(self.value(item) for item in value) + b"]"
            if isinstance(value, pikepdf.Stream):
                raise JoinError("a direct stream")
            return value.unparse()
        if value is None:
            return NULL
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal):
            return format(value, "f").encode()
        if isinstance(value, float):
            return repr(value).encode()
        raise JoinError(f"a value of type {type(value).__name__}")

    def _dictionary(self, items: Iterable) -> bytes:
        return b"<<" + b"".join(Name(key).unparse() + b" " + self.value(v) for key, v in items) + b">>"

    def flush(self) -> None:
        """Write every object referred to so far, and those they refer to."""
        while self.todo:
            obj = self.todo.pop()
            number = self.numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                items = [(k, v) for k, v in obj.stream_dict.items() if k != "/Length"]
                body = self._dictionary(items)[:-2] + b" /Length %d>>" % len(raw)
                self.output.put(number, body, raw)
            elif isinstance(obj, Dictionary):
                self.output.put(number, self._dictionary(obj.items()))
            elif isinstance(obj, Array):
                self.output.put(number, b"[" + b" ".join(self.value(item) for item in obj) + b"]")
            else:
                self.output.put(number, obj.unparse(resolved=True))
