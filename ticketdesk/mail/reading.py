"""Reading one incoming mail with the standard library's `email` package (modern policy): who sent it, what
it answers, its text, its files, and whether it is automatic mail the desk must never answer. No database
here: intake.py decides what the mail becomes.

Text comes from the text part; an HTML-only mail is converted to plain text by inscriptis (it keeps the
layout of lists and tables, and never runs or shows the HTML). Declared charsets are decoded as mail
programs do (a declared latin-1 or GB2312 read as its common superset), and bytes that do not fit the
declared charset become replacement characters; a charset nobody knows makes the mail unreadable, which
quarantines it."""
import codecs
import hashlib
import mimetypes
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser

from inscriptis import get_text
from mailparser_reply import EmailReplyParser

MESSAGE_ID = re.compile(r"<[^<>\s]{1,253}>")
DESK_MESSAGE_ID = re.compile(r"<ticket\.\d+\.[0-9a-f]{24}@[^<>\s]+>")
TICKET_TOKEN = re.compile(r"\[#(\d{1,10})\]")
OUT_OF_OFFICE = re.compile(r"^\s*(out of (the )?office|automatic reply|auto(matic)?[ -]?(reply|response)|autoreply|"
                           r"abwesenheitsnotiz|r[ée]ponse automatique|respuesta autom[áa]tica)\b", re.IGNORECASE)
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
BROKEN_MIME = (errors.NoBoundaryInMultipartDefect, errors.StartBoundaryNotFoundDefect,
               errors.MultipartInvariantViolationDefect)
# what mail programs mean by these labels: the superset each is written in, in practice
READ_AS = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "us-ascii": "utf-8", "ascii": "utf-8",
           "gb2312": "gb18030", "gbk": "gb18030", "ks_c_5601-1987": "cp949", "shift_jis": "cp932",
           "iso-8859-9": "cp1254", "tis-620": "cp874"}
REPLY_LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "sv", "da", "pl", "cs", "ja", "ko", "zh"]
NAME_MAX = 255
SCANNED = 100_000


class Unreadable(Exception):
    """Why the desk cannot turn a mail into a ticket or message; the mail is quarantined with this reason."""


@dataclass
class File:
    filename: str
    content_type: str
    size: int
    data: bytes | None  # None: larger than the limit, so kept only in the original mail


@dataclass
class Mail:
    sender_email: str
    sender_name: str | None
    subject: str
    text: str  # the whole text, quotes and all
    answers: list[str] = field(default_factory=list)  # Message-IDs it replies to, most recent first
    files: list[File] = field(default_factory=list)
    automatic: str | None = None  # why no person wrote it (auto-reply, bulk, list), else None
    bounce: bool = False
    desk_ids: list[str] = field(default_factory=list)  # the desk's own Message-IDs it mentions (a bounce's)
    bounce_reason: str | None = None
    from_desk: bool = False  # carries the header every mail the desk sends has

    @property
    def ticket_token(self) -> int | None:
        found = TICKET_TOKEN.search(self.subject)
        return int(found.group(1)) if found else None


def identity(raw: bytes) -> tuple[str | None, str]:
    """The mail's Message-ID (None when it has no usable one) and its duplicate key: the SHA-256 of that
    Message-ID, or of the bytes themselves, so the same mail fetched or piped twice is known."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].decode("ascii", "replace")
    found = re.search(r"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", head, re.IGNORECASE | re.MULTILINE)
    message_id = _first_id(found.group(1)) if found else None
    if message_id:
        return message_id, hashlib.sha256(b"id:" + message_id.encode()).hexdigest()
    return None, hashlib.sha256(b"raw:" + raw).hexdigest()


def read(raw: bytes, max_attachment: int) -> Mail:
    """The mail in `raw`; raises Unreadable saying why when the desk cannot turn it into text."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        broken = [d for part in message.walk() for d in part.defects if isinstance(d, BROKEN_MIME)]
        if broken:
            raise Unreadable(f"malformed MIME: {type(broken[0]).__name__}")
        email, name = _sender(message)
        body = message.get_body(preferencelist=("plain", "html"))
        text = _text(body) if body is not None else ""
        if body is not None and body.get_content_subtype() == "html":
            text = get_text(text)
        extra, files = _rest(message, body, max_attachment)
        text = _storable("\n\n".join(t for t in (text.strip("\n"), *extra) if t.strip()))
        mail = Mail(sender_email=email, sender_name=name, subject=_header(message, "Subject"), text=text,
                    answers=_answers(message), files=files, from_desk="X-TicketDesk-Ticket" in message)
        mail.bounce = (message.get_content_type() == "multipart/report"
                       or email.split("@")[0] in BOUNCE_SENDERS)
        if mail.bounce:
            mail.desk_ids = list(dict.fromkeys(DESK_MESSAGE_ID.findall(raw.decode("latin-1"))))
            mail.bounce_reason = _bounce_reason(raw.decode("utf-8", "replace"))
        mail.automatic = _automatic(message, mail.subject)
        return mail
    except Unreadable:
        raise
    except (LookupError, errors.MessageError, ValueError, IndexError, TypeError, AttributeError) as e:
        # what the email package raises on mail it cannot make sense of (a bug of ours raising one of these
        # quarantines the mail just the same, with the exception named: the mail is kept either way)
        raise Unreadable(f"the mail could not be parsed ({type(e).__name__}: {e})"[:300]) from None


def latest(text: str) -> str:
    """What the customer wrote this time: the text without the quoted mail it answers and without the
    signature (mail-parser-reply); the whole text when nothing is left. Only the first SCANNED characters
    are read (the parser's time grows with the text; a message keeps at most 50,000 anyway)."""
    text = text[:SCANNED]
    try:
        parsed = EmailReplyParser(languages=REPLY_LANGUAGES).read(text)
        reply = parsed.replies[0].body if parsed.replies else ""
        return (reply or parsed.latest_reply or text).strip()
    except Exception:  # the parser is a heuristic; a failure in it must not cost the customer's mail
        return text.strip()


def decode(data: bytes, charset: str | None) -> str:
    """Bytes in the declared charset; bytes that do not fit become U+FFFD."""
    label = (charset or "us-ascii").strip().strip('"').lower()
    try:
        codec = codecs.lookup(READ_AS.get(label, label)).name
    except LookupError:
        raise Unreadable(f"the mail is written in a charset the desk does not know ({label[:40]!r})") from None
    return data.decode(codec, errors="replace")


def _text(part: EmailMessage) -> str:
    data = part.get_payload(decode=True) or b""
    return decode(data, part.get_content_charset()).replace("\r\n", "\n")


def _rest(message: EmailMessage, body, max_attachment: int) -> tuple[list[str], list[File]]:
    """Besides the body: further plain-text pieces (some mail programs split the text around a picture),
    and every file. An HTML part with no name is another rendering of the text, so it is skipped."""
    extra, files = [], []
    for number, part in enumerate(_leaves(message), 1):
        if part is body:
            continue
        kind = part.get_content_type()
        named = part.get_filename() or part.is_attachment()
        if kind == "text/plain" and not named:
            extra.append(_text(part).strip("\n"))
            continue
        if kind == "text/html" and not named:
            continue
        if kind.startswith("multipart/report") or kind == "message/delivery-status":
            continue
        data = _bytes(part)
        files.append(File(filename=_filename(part, number), content_type=kind[:127], size=len(data),
                          data=data if len(data) <= max_attachment else None))
    return extra, files


def _leaves(part: EmailMessage):
    """Every part that is not a container, in order; an attached mail (message/rfc822) is one part."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for child in part.iter_parts():
            yield from _leaves(child)
    else:
        yield part


def _bytes(part: EmailMessage) -> bytes:
    if part.get_content_maintype() == "message":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) else inner
        return inner.as_bytes(policy=policy.default) if hasattr(inner, "as_bytes") else str(inner).encode()
    return part.get_payload(decode=True) or b""


def _filename(part: EmailMessage, number: int) -> str:
    name = _storable(part.get_filename() or "")
    name = re.sub(r"[\x00-\x1f\x7f/\\]", "_", name).strip(" .")
    if not name:
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            subject = re.sub(r"[^\w .,-]", "_", str(inner.get("Subject", "") if hasattr(inner, "get") else ""))
            name = f"{subject.strip()[:80] or 'attached mail'}.eml"
        else:
            name = f"part-{number}{mimetypes.guess_extension(kind) or '.bin'}"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:NAME_MAX - len(ext) - 1] + "." + ext) if dot and len(ext) < 10 else name[:NAME_MAX]
    return name


def _sender(message: EmailMessage) -> tuple[str, str | None]:
    header = message.get("From")
    addresses = getattr(header, "addresses", ()) if header is not None else ()
    address = next((a for a in addresses if a.username and a.domain), None)
    if address is None:
        raise Unreadable("it names no sender address (From), so there is nobody to answer")
    email = f"{address.username}@{address.domain}".lower()
    if len(email) > 254:
        raise Unreadable("its sender address is longer than 254 characters")
    name = _storable(" ".join(address.display_name.split())) or None
    return _storable(email), name and name[:200]


def _header(message: EmailMessage, name: str) -> str:
    value = message.get(name)
    return "" if value is None else _storable(" ".join(str(value).split()))


def _storable(text: str) -> str:
    """What a database column can hold: no NUL, no lone surrogate. Raw 8-bit bytes in a header (UTF-8, as
    RFC 6532 allows) come out of the parser as surrogates: they are read back as the UTF-8 they nearly always are."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "")


def _answers(message: EmailMessage) -> list[str]:
    """In-Reply-To first, then References newest first: the order in which they name what this answers."""
    ids = []
    for name in ("In-Reply-To", "References"):
        raw = message.get_all(name) or []
        found = [i for value in raw for i in MESSAGE_ID.findall(str(value))]
        ids.extend(reversed(found) if name == "References" else found)
    return list(dict.fromkeys(ids))


def _automatic(message: EmailMessage, subject: str) -> str | None:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"automatic mail (Auto-Submitted: {auto[:40]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply"):
        if name in message:
            return f"auto-reply ({name})"
    precedence = _header(message, "Precedence").lower()
    if precedence in BULK_PRECEDENCE:
        return f"bulk mail (Precedence: {precedence})"
    if "List-Id" in message:
        return "mailing-list mail (List-Id)"
    if OUT_OF_OFFICE.search(subject):
        return "out-of-office reply"
    return None


def _bounce_reason(text: str) -> str | None:
    for pattern in (r"^Diagnostic-Code:[ \t]*(?:smtp;)?[ \t]*(.+)$", r"^Status:[ \t]*([245]\.\d{1,3}\.\d{1,3}.*)$"):
        found = re.search(pattern, text, re.IGNORECASE | re.MULTILINE)
        if found:
            return " ".join(found.group(1).split())[:300]
    return None


def _first_id(value: str) -> str | None:
    found = MESSAGE_ID.search(value)
    return found.group(0) if found else None
