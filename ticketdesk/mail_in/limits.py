"""Cheap checks on a mail's bytes before anything parses them: each reads the mail once, line by line, so
its cost grows with the mail's size and nothing else. A mail over a limit is quarantined with the reason,
before the standard library's parser (quadratic in a header's parameters, recursive in MIME depth) sees it."""
import re
from dataclasses import dataclass

HEADER_START = re.compile(rb"^content-(?:type|disposition)[ \t]*:", re.IGNORECASE)
BOUNDARY = re.compile(rb"""boundary[ \t]*=[ \t]*(?:"([^"\r\n]{1,200})"|([^;\s"]{1,200}))""", re.IGNORECASE)
MULTIPART = re.compile(rb"^content-type[ \t]*:[ \t]*multipart/", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    message_bytes: int
    header_bytes: int
    header_params: int
    parts: int
    depth: int
    attachments: int

    @classmethod
    def of(cls, config) -> "Limits":
        return cls(config["MAIL_MAX_MESSAGE_BYTES"], config["MAIL_MAX_HEADER_BYTES"], config["MAIL_MAX_HEADER_PARAMS"],
                   config["MAIL_MAX_PARTS"], config["MAIL_MAX_DEPTH"], config["MAIL_MAX_ATTACHMENTS"])


def over(raw: bytes, limits: Limits, size: int | None = None) -> str | None:
    """Why `raw` is over a limit ("20,000 MIME parts, more than the 500 allowed (MAIL_MAX_PARTS)"), or None.
    `size` is the whole mail's size when `raw` holds only its beginning (a mail cut at the size limit)."""
    size = len(raw) if size is None else size
    if size > limits.message_bytes:
        cut = f"; only its first {_bytes(len(raw))} are kept" if len(raw) < size else ""
        return f"it is larger ({_bytes(size)}) than the {_bytes(limits.message_bytes)} allowed (MAIL_MAX_MESSAGE_BYTES){cut}"
    head_end = _head_end(raw)
    if head_end > limits.header_bytes:
        return f"its header block is {head_end:,} bytes, more than the {limits.header_bytes:,} allowed (MAIL_MAX_HEADER_BYTES)"
    return _scan(raw, limits)


def _head_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(raw)


def _scan(raw: bytes, limits: Limits) -> str | None:
    """One pass: every Content-Type/Content-Disposition header's parameters, and the MIME tree's parts and
    depth, followed through boundary lines (a stack of the open multiparts' boundaries)."""
    open_boundaries: list[bytes] = []  # innermost last
    parts = 0
    deepest = 0
    in_header = True  # the top-level header, or a part's header right after a boundary line
    header: list[bytes] = []  # the Content-* header being read (with its folded lines)

    def header_done() -> str | None:
        nonlocal deepest
        if not header:
            return None
        value = b"".join(header)
        header.clear()
        params = value.count(b";")
        if params > limits.header_params:
            name = value.split(b":", 1)[0].decode("ascii", "replace").strip()
            return (f"a {name} header has {params:,} parameters, more than the {limits.header_params:,} allowed "
                    f"(MAIL_MAX_HEADER_PARAMS)")
        if MULTIPART.match(value):
            found = BOUNDARY.search(value)
            if found:
                open_boundaries.append(found.group(1) or found.group(2))
                deepest = max(deepest, len(open_boundaries))
                if deepest > limits.depth:
                    return f"its MIME tree is more than {limits.depth} levels deep (MAIL_MAX_DEPTH)"
        return None

    for line in raw.splitlines():
        if in_header:
            if line[:1] in (b" ", b"\t") and header:
                header.append(line)
                continue
            if why := header_done():
                return why
            if not line.strip():
                in_header = False
            elif HEADER_START.match(line):
                header.append(line)
            continue
        if not line.startswith(b"--") or not open_boundaries:
            continue
        token = line[2:].rstrip()
        closing = token.endswith(b"--") and token[:-2] in open_boundaries
        name = token[:-2] if closing else token
        if name not in open_boundaries:
            continue
        while open_boundaries and open_boundaries[-1] != name:  # an inner multipart left unclosed
            open_boundaries.pop()
        if closing:
            open_boundaries.pop()
            continue
        parts += 1
        in_header = parts <= limits.parts  # past the limit, only counted: the reason names how many
    if parts > limits.parts:
        return f"it has {parts:,} MIME parts, more than the {limits.parts:,} allowed (MAIL_MAX_PARTS)"
    return header_done()


def _bytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size:,} bytes"
