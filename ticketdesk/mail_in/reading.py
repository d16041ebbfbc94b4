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
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

from inscriptis import get_text

from ..text import INVISIBLE, visible
from .quotes import latest

# a Message-ID is printable US-ASCII (RFC 5322 msg-id): a control character (NUL above all, which no database
# column can hold) makes it no Message-ID at all
MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,253}>")
DESK_MESSAGE_ID = re.compile(r"<ticket\.\d+\.[0-9a-f]{24}@[\x21-\x3b\x3d\x3f-\x7e]{1,253}>")
# a MIME type as RFC 2045 writes it; anything else a file is stored as is application/octet-stream
MIME_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,63}/[a-z0-9!#$&^_.+-]{1,63}")
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
NAME_MAX = 255
SCANNED = 100_000  # characters of a text searched for quoted history (a message keeps at most 50,000)
SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Date", "Subject")
SHOWN_BYTES = 200_000  # of an original that cannot be read as mail, shown as text
PEEKED = 2000  # characters of a From or Subject header looked at for a quarantined mail


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
    no_reply: str | None = None  # why no automatic mail may answer it (RFC 3834), else None
    unverified: str | None = None  # why its sender is not verified (MAIL_AUTHSERV_ID), else None
    recipients: list[str] = field(default_factory=list)  # the addresses it was sent to, which may route it

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


@dataclass(frozen=True)
class Options:
    max_attachment: int  # bytes of a file kept in the database
    max_attachments: int  # files kept per mail
    authserv_id: str | None = None  # MAIL_AUTHSERV_ID


@dataclass
class Reading:
    """All the desk needs from one mail, computed once (in a child process with a time limit): the mail,
    what the customer wrote this time, and what the mail's page shows."""
    mail: Mail
    latest: str
    view: dict  # {"headers": [[name, value], …], "text": the whole text}


def read_all(raw: bytes, options: Options) -> Reading:
    """The mail in `raw`, its latest text and its page; raises Unreadable saying why."""
    mail = read(raw, options.max_attachment)
    if len(mail.files) > options.max_attachments:
        raise Unreadable(f"it has {len(mail.files):,} attachments, more than the {options.max_attachments:,} "
                         "allowed (MAIL_MAX_ATTACHMENTS)")
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    mail.no_reply = _no_reply(message)
    mail.unverified = _unverified(message, options.authserv_id) if options.authserv_id else None
    view = {"headers": headers_of(message), "text": mail.text}
    return Reading(mail=mail, latest=latest(mail.text[:SCANNED]), view=view)


def headers_of(message) -> list[list[str]]:
    shown = []
    for name in SHOWN_HEADERS:
        try:
            value = message[name]
            text = None if value is None else str(value)
        except Exception:  # the header classes fail on some broken values (a name with CR/LF, an empty
            text = _raw_header(message, name)  # domain): shown as it was written
        if text is not None:
            shown.append([name, visible(" ".join(_storable(text).split()))])
    return shown


def unreadable_view(raw: bytes) -> dict:
    """The page of a mail that cannot be read as mail: its sender and subject as peeked, its bytes as text."""
    sender, subject = peek(raw)
    headers = [["From", sender]] if sender else []
    headers += [["Subject", subject]] if subject else []
    return {"headers": headers, "text": _storable(decode(raw[:SHOWN_BYTES], "utf-8")), "unreadable": True}


def peek(raw: bytes) -> tuple[str | None, str | None]:
    """The sender's address and the subject of a mail the desk will not parse (it is over a limit), read
    from the first PEEKED characters of those headers alone: linear, whatever else the mail holds."""
    head = raw[:_head_end(raw)].decode("utf-8", "replace")
    found = {}
    for name in ("from", "subject"):
        match = re.search(rf"^{name}:[ \t]*(.*(?:\r?\n[ \t].*)*)", head[:512 * 1024], re.IGNORECASE | re.MULTILINE)
        if match:
            found[name] = " ".join(match.group(1)[:PEEKED].split())
    sender = None
    if "from" in found:
        addresses = [a for _, a in getaddresses([found["from"]]) if "@" in a]
        sender = _storable(addresses[0].lower())[:254] if addresses else None
    subject = found.get("subject")
    if subject:
        try:
            subject = str(make_header(decode_header(subject)))
        except Exception:  # a broken encoded word (bad base64, an unknown charset): kept as written
            pass
        subject = visible(_storable(subject))[:255] or None
    return sender, subject


def _head_end(raw: bytes) -> int:
    ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
    return min(ends) if ends else len(raw)


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
                    answers=_answers(message), files=files, from_desk="X-TicketDesk-Ticket" in message,
                    recipients=_recipients(message))
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
        files.append(File(filename=_filename(part, number),
                          content_type=kind if MIME_TYPE.fullmatch(kind) else "application/octet-stream", size=len(data),
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
    name = visible(_storable(part.get_filename() or ""))
    name = re.sub(r"[/\\]", "_", name).strip(" .")
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
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
        found = [(a.display_name, a.username, a.domain) for a in addresses]
    except ValueError:  # a decoded display name with CR or LF, which the header classes refuse
        found = _plain_addresses(message)
    display_name, username, domain = next((a for a in found if a[1] and a[2]), (None, None, None))
    if username is None:
        raise Unreadable("it names no sender address (From), so there is nobody to answer")
    email = f"{username}@{domain}".lower()
    if len(email) > 254:
        raise Unreadable("its sender address is longer than 254 characters")
    if INVISIBLE.search(email) or any(c.isspace() for c in email):
        raise Unreadable("its sender address holds spaces or control characters")
    name = visible(_storable(" ".join(display_name.split()))) or None
    return _storable(email), name and name[:200]


def _raw_header(message, name: str) -> str | None:
    """The first `name` header as written (unfolded), without the header classes' parsing."""
    found = next((v for k, v in message.raw_items() if k.lower() == name.lower()), None)
    return None if found is None else _storable(" ".join(str(found).split()))


def _plain_addresses(message: EmailMessage) -> list[tuple[str, str, str]]:
    """From's addresses read the simple way: encoded words decoded, then split (line breaks in a name become
    spaces), for the names the email package's header classes refuse."""
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == "from"), "")
    found = []
    for name, address in getaddresses([" ".join(raw[:PEEKED].split())]):  # split first, then decode each name
        try:
            name = str(make_header(decode_header(name)))
        except Exception:  # a broken encoded word: kept as written
            pass
        username, at, domain = address.rpartition("@")
        if at:
            found.append((visible(name.replace("\r", " ").replace("\n", " ")), username, domain))
    return found


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


RECIPIENTS = ("Delivered-To", "X-Original-To", "To", "Cc")
ROUTED_RECIPIENTS = 20  # addresses looked at for a team's route, the envelope's first


def _recipients(message: EmailMessage) -> list[str]:
    """Whom the mail was sent to, lower-cased, the envelope's recipients (as the MTA wrote them) first."""
    found = []
    for name in RECIPIENTS:
        try:
            for value in message.get_all(name) or []:
                found += [address.addr_spec.lower() for address in getattr(value, "addresses", ()) if address.domain]
        except (errors.MessageError, ValueError, IndexError, TypeError, AttributeError):
            continue  # a header no address can be read from routes nothing; the mail is read all the same
    return [_storable(a)[:254] for a in dict.fromkeys(found)][:ROUTED_RECIPIENTS]


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


def _no_reply(message) -> str | None:
    """Why RFC 3834 forbids answering this mail automatically: a null Return-Path (a bounce), automatic
    mail, bulk or list mail. Such mail may still become a ticket; it gets no acknowledgement."""
    return_path = _raw_header(message, "Return-Path")
    if return_path is not None and return_path.strip() in ("<>", ""):
        return "its Return-Path is empty"
    auto = " ".join((_raw_header(message, "Auto-Submitted") or "").split()).lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = " ".join((_raw_header(message, "Precedence") or "").split()).lower()
    if precedence in ("bulk", "list", "junk"):
        return f"Precedence: {precedence}"
    listed = next((name for name in message.keys() if name.lower().startswith("list-")), None)
    return f"it carries {listed[:40]}" if listed else None


def _unverified(message, authserv_id: str) -> str | None:
    """Why the sender is not verified, by the Authentication-Results (RFC 8601) that the operator's own
    receiving server (`authserv_id`) added: only those above the second Received header count (the first is
    that server's own; anything below was in the mail before it arrived, so anyone may have written it).
    DMARC fail, or SPF fail without a DKIM pass, is unverified; a mail that server did not judge is
    trusted as it would be without the setting."""
    results, received = [], 0
    for name, value in message.raw_items():
        lower = name.lower()
        if lower == "received":
            received += 1
            if received >= 2:
                break
        elif lower == "authentication-results":
            text = " ".join(str(value).split()).lower()
            server = text.split(";", 1)[0].split()[0] if text.strip() else ""
            if server == authserv_id.lower():
                results.append(text)
    methods: dict[str, set[str]] = {}
    for text in results:
        for clause in text.split(";")[1:]:
            found = re.match(r"\s*(dmarc|spf|dkim)\s*=\s*([a-z]+)", clause)
            if found:
                methods.setdefault(found.group(1), set()).add(found.group(2))
    if "fail" in methods.get("dmarc", ()):
        return "DMARC failed"
    if "fail" in methods.get("spf", ()) and "pass" not in methods.get("dkim", ()):
        return "SPF failed and no DKIM signature passed"
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
