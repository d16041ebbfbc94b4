"""What `SMTP_URL`, `MAIL_FROM` and `MAIL_RETRY_SECONDS` mean, checked once at start-up so a wrong setting
stops the desk with what to change instead of failing every reply later. `server_url` is shared with mail
in's `IMAP_URL`."""
from dataclasses import dataclass
from email.headerregistry import Address
from email.policy import default as policy
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = {"smtp": 25, "smtps": 465}
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
    parts, port, starttls = server_url(url, "SMTP_URL", SCHEMES, "smtp://user:password@mail.example.com:587?starttls=1")
    return Smtp(host=parts.hostname, port=port, ssl=parts.scheme == "smtps", starttls=starttls,
                user=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password is not None else None)


def server_url(url: str, name: str, schemes: dict, example: str):
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
    """Raise RuntimeError naming the setting when mail out is configured in a way that cannot work."""
    try:
        retry_waits(config["MAIL_RETRY_SECONDS"])
        if config.get("SMTP_URL"):
            smtp(config["SMTP_URL"])
            if not config.get("MAIL_FROM"):
                raise ValueError("SMTP_URL is set but MAIL_FROM is not: set the support address replies come "
                                 "from, e.g. MAIL_FROM=Example Support <support@example.com>")
        if config.get("MAIL_FROM"):
            sender(config["MAIL_FROM"])
    except ValueError as wrong:
        raise RuntimeError(str(wrong)) from None
