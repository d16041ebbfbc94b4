"""What `IMAP_URL`, `IMAP_MOVE_TO` and the limits on incoming mail mean, checked once at start-up so a
wrong setting stops the desk with what to change instead of failing every fetch later."""
from dataclasses import dataclass
from urllib.parse import unquote

from ..mail_out.settings import server_url

IMAP_SCHEMES = {"imap": 143, "imaps": 993}
LIMITS = ("MAIL_MAX_ATTACHMENT_BYTES", "MAIL_MAX_MESSAGE_BYTES", "MAIL_MAX_HEADER_BYTES", "MAIL_MAX_HEADER_PARAMS",
          "MAIL_MAX_PARTS", "MAIL_MAX_DEPTH", "MAIL_MAX_ATTACHMENTS")


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
    parts, port, starttls = server_url(url, "IMAP_URL", IMAP_SCHEMES,
                                        "imaps://support%40example.com:password@imap.example.com/INBOX")
    if not parts.username or parts.password is None:
        raise ValueError("IMAP_URL needs the mailbox's user and password: imaps://USER:PASSWORD@host/INBOX "
                         "(URL-encode @ as %40)")
    return Imap(host=parts.hostname, port=port, ssl=parts.scheme == "imaps", starttls=starttls,
                user=unquote(parts.username), password=unquote(parts.password),
                folder=unquote(parts.path.strip("/")) or "INBOX")


def check(config: dict) -> None:
    """Raise RuntimeError naming the setting when mail in is configured in a way that cannot work."""
    try:
        if config.get("IMAP_URL"):
            imap(config["IMAP_URL"])
            if config.get("IMAP_MOVE_TO") and config["IMAP_MOVE_TO"] == imap(config["IMAP_URL"]).folder:
                raise ValueError("IMAP_MOVE_TO is the folder IMAP_URL fetches from: name another, or unset it "
                                 "to mark fetched mail as seen instead")
        for name in LIMITS:
            if config[name] < 1:
                raise ValueError(f"{name} must be a positive number, got {config[name]}")
        if config["MAIL_PARSE_SECONDS"] <= 0:
            raise ValueError(f"MAIL_PARSE_SECONDS must be a positive number of seconds, got {config['MAIL_PARSE_SECONDS']}")
    except ValueError as wrong:
        raise RuntimeError(str(wrong)) from None
