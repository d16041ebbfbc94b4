"""What `SMTP_URL`, `IMAP_URL` and `MAIL_FROM` mean, checked once at start-up so a wrong setting stops the
desk with what to change instead of failing every reply (or every fetch) later."""
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import default as policy
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465}
IMAP_SCHEMES = {"imap": 143, "imaps": 993}
YES = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    ssl: bool  # smtps: TLS from the first byte
    starttls: bool  # smtp with ?starttls=1: upgrade before signing in
    user: str | None
    password: str | None


def smtp(url: str) -> Smtp:
    """`smtp://user:pass@host:587?starttls=1` or `smtps://user:pass@host:465`; raises ValueError saying why."""
    parts, port, starttls = _server_url(url, "SMTP_URL", SCHEMES, "smtp://user:password@mail.example.com:587?starttls=1")
    return Smtp(host=parts.hostname, port=port, ssl=parts.scheme == "smtps", starttls=starttls,
                user=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password is not None else None)


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    ssl: bool  # imaps: TLS from the first byte
    starttls: bool  # imap with ?starttls=1
    user: str
    password: str
    folder: str


def imap(url: str) -> Imap:
    """`imaps://user:pass@host/INBOX` (993) or `imap://user:pass@host:143/INBOX?starttls=1`; the user name
    and password URL-encoded (`support%40example.com`). Raises ValueError saying what is wrong."""
    parts, port, starttls = _server_url(url, "IMAP_URL", IMAP_SCHEMES,
                                        "imaps://support%40example.com:password@imap.example.com/INBOX")
    if not parts.username or parts.password is None:
        raise ValueError("IMAP_URL needs the mailbox's user and password: imaps://USER:PASSWORD@host/INBOX "
                         "(URL-encode @ as %40)")
    return Imap(host=parts.hostname, port=port, ssl=parts.scheme == "imaps", starttls=starttls,
                user=unquote(parts.username), password=unquote(parts.password),
                folder=unquote(parts.path.strip("/")) or "INBOX")


def _server_url(url: str, name: str, schemes: dict, example: str):
    """What SMTP_URL and IMAP_URL share: a known scheme (the second TLS from the first byte), a host, a
    port, and only ?starttls=1, which a TLS scheme does not take. Returns (parts, port, starttls)."""
    plain, tls = schemes
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ValueError(f"{name} must start with {plain}:// or {tls}://, got {parts.scheme or 'none'}://")
    if not parts.hostname:
        raise ValueError(f"{name} names no host, e.g. {example}")
    try:
        port = parts.port or schemes[parts.scheme]
    except ValueError:
        raise ValueError(f"{name}'s port is not a number from 1 to 65535") from None
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"{name} takes only ?starttls=1, not {', '.join(sorted(unknown))}")
    starttls = query.get("starttls", "") in YES
    if starttls and parts.scheme == tls:
        raise ValueError(f"{name}: {tls}:// is already encrypted; use {plain}://…?starttls=1 for STARTTLS instead")
    return parts, port, starttls


def sender(value: str) -> Address:
    """MAIL_FROM as an address: `support@example.com` or `Example Support <support@example.com>`."""
    try:
        header = policy.header_factory("From", value)
        (address,) = header.addresses
    except (ValueError, IndexError, TypeError):
        raise ValueError(f"MAIL_FROM must be one address such as Support <support@example.com>, got {value!r}") from None
    if not address.username or not address.domain or header.defects:
        raise ValueError(f"MAIL_FROM must be one address such as Support <support@example.com>, got {value!r}")
    return address


def retry_waits(value: str) -> tuple[float, ...]:
    try:
        waits = tuple(float(w) for w in value.split(",") if w.strip())
    except ValueError:
        waits = ()
    if not waits or any(w <= 0 for w in waits):
        raise ValueError(f"MAIL_RETRY_SECONDS must be positive seconds separated by commas, e.g. 30,120,600; got {value!r}")
    return waits


def check(config: dict) -> None:
    """Raise RuntimeError naming the setting when mail is configured in a way that cannot work."""
    try:
        retry_waits(config["MAIL_RETRY_SECONDS"])
        if config.get("SMTP_URL"):
            smtp(config["SMTP_URL"])
            if not config.get("MAIL_FROM"):
                raise ValueError("SMTP_URL is set but MAIL_FROM is not: set the support address replies come "
                                 "from, e.g. MAIL_FROM=Example Support <support@example.com>")
        if config.get("MAIL_FROM"):
            sender(config["MAIL_FROM"])
        if config.get("IMAP_URL"):
            imap(config["IMAP_URL"])
            if config.get("IMAP_MOVE_TO") and config["IMAP_MOVE_TO"] == imap(config["IMAP_URL"]).folder:
                raise ValueError("IMAP_MOVE_TO is the folder IMAP_URL fetches from: name another, or unset it "
                                 "to mark fetched mail as seen instead")
        for name in ("MAIL_MAX_ATTACHMENT_BYTES", "MAIL_MAX_MESSAGE_BYTES"):
            if config[name] < 1:
                raise ValueError(f"{name} must be a positive number of bytes, got {config[name]}")
    except ValueError as wrong:
        raise RuntimeError(str(wrong)) from None
