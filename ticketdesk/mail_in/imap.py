"""Fetching the support mailbox over IMAP (IMAPClient): every unseen mail in IMAP_URL's folder is taken in
by `ingest` and only then marked seen (or moved to IMAP_MOVE_TO). A crash in between leaves the mail
unseen; the next fetch finds it again and `ingest` knows it as a duplicate, so nothing is created twice.

The worker fetches every MAIL_FETCH_SECONDS (one worker per period, however many run); `flask mail fetch`
fetches once. Either holds a lease while it fetches, so fetches never overlap; if they did (a lease that
ran out), each mail would still be taken once: the second copy is a duplicate."""
import logging
import ssl
import time
from dataclasses import dataclass, field

from flask import current_app
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from ..jobs import periodic
from ..jobs.periods import hold, release, renew
from .intake import Outcome, ingest, ingest_all
from .settings import imap

log = logging.getLogger(__name__)

TIMEOUT = 60  # seconds for one IMAP command
BATCH_COUNT, BATCH_BYTES = 50, 32 * 1024 * 1024  # mails fetched per round trip, and their most bytes
SEEN = b"\\Seen"
LEASE, LEASE_SECONDS = "mail.fetch:lease", 120
RENEW_SECONDS = 20  # the lease is renewed after each outcome once this long has passed. Outcomes come a group
# at a time (intake.AHEAD mails, read by sandbox.CHILDREN processes within MAIL_PARSE_SECONDS each), so the
# lease outlasts a group while MAIL_PARSE_SECONDS stays under about 12 s (the default is 2). Were it to run
# out, a second fetch would find each mail of the group already taken: a duplicate, never a second ticket.


class FetchFailed(Exception):
    """The mailbox could not be reached or read (the mail stays in it for the next fetch)."""


class Busy(FetchFailed):
    """Another worker is fetching the mailbox now."""


@dataclass
class Fetched:
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> str:
        if not self.outcomes:
            return "no new mail"
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            counts[outcome.kind] = counts.get(outcome.kind, 0) + 1
        return f"{len(self.outcomes)} mails: " + ", ".join(f"{n} {word}" for word, n in counts.items())


def fetch_alone(url: str, move_to: str | None = None) -> Fetched:
    """`fetch`, by one worker (or `flask mail fetch`) at a time across every host: a fetch that outlasts its
    period (a backlog) is not joined by the next one downloading the same mail. The lease is renewed at each
    batch, so a worker that died holds it at most LEASE_SECONDS."""
    if not hold(LEASE, LEASE_SECONDS):
        raise Busy("another worker is fetching the mailbox now; this fetch is skipped")
    try:
        return fetch(url, move_to, renew_lease=lambda: renew(LEASE, LEASE_SECONDS))
    finally:
        release(LEASE)


def fetch(url: str, move_to: str | None = None, renew_lease=lambda: None) -> Fetched:
    """Take in every unseen mail in the mailbox `url` names; raises FetchFailed saying why it could not.
    `renew_lease` is called before each batch and, every RENEW_SECONDS, between mails.

    The sizes come first: a mail larger than MAIL_MAX_MESSAGE_BYTES is never downloaded whole, only its
    first MAIL_MAX_MESSAGE_BYTES (a partial fetch), which is kept and quarantined. Every mail that was taken
    in (quarantined too: over a limit, or too slow to read) is marked seen, so none is fetched again."""
    settings = imap(url)
    limit = current_app.config["MAIL_MAX_MESSAGE_BYTES"]
    fetched = Fetched()
    renewed = [time.monotonic()]

    def renew_now():
        if time.monotonic() - renewed[0] >= RENEW_SECONDS:
            renew_lease()
            renewed[0] = time.monotonic()

    try:
        with IMAPClient(settings.host, settings.port, ssl=settings.ssl, timeout=TIMEOUT,
                        ssl_context=ssl.create_default_context()) as client:
            if settings.starttls:
                client.starttls(ssl.create_default_context())
            client.login(settings.user, settings.password)
            client.select_folder(settings.folder)
            uids = client.search(["UNSEEN"])
            for batch, oversize in _batches(client, uids, limit):
                renew_lease()
                renewed[0] = time.monotonic()
                whole = [uid for uid in batch if uid not in oversize]
                downloaded = client.fetch(whole, ["BODY.PEEK[]"]) if whole else {}
                mails = [(bytes(data[b"BODY[]"]), None) for data in downloaded.values() if data.get(b"BODY[]") is not None]
                for outcome in ingest_all(mails):  # the batch's next mails are read while one is written
                    fetched.outcomes.append(outcome)
                    renew_now()
                for uid, size in oversize.items():
                    data = client.fetch([uid], [f"BODY.PEEK[]<0.{limit}>"]).get(uid, {})
                    raw = next((v for k, v in data.items() if k.startswith(b"BODY[]")), b"")
                    fetched.outcomes.append(ingest(bytes(raw or b""), size=size))
                    renew_now()
                _done(client, batch, move_to)
    except (IMAPClientError, OSError) as e:  # refused, timed out, TLS, a sign-in or folder the server refused
        raise FetchFailed(f"{settings.host}:{settings.port}: {_reason(e)}") from None
    return fetched


def _batches(client: IMAPClient, uids: list[int], limit: int):
    """The unseen mails in groups small enough to hold in memory at once, each with its mails over `limit`
    bytes ({uid: size}), which are fetched only in part."""
    sizes = client.fetch(uids, ["RFC822.SIZE"]) if uids else {}
    batch, oversize, total = [], {}, 0
    for uid in sorted(sizes):
        size = sizes[uid].get(b"RFC822.SIZE", 0)
        fetched = min(size, limit)
        if batch and (len(batch) >= BATCH_COUNT or total + fetched > BATCH_BYTES):
            yield batch, oversize
            batch, oversize, total = [], {}, 0
        batch.append(uid)
        if size > limit:
            oversize[uid] = size
        total += fetched
    if batch:
        yield batch, oversize


def _done(client: IMAPClient, uids: list[int], move_to: str | None) -> None:
    """Mark mail that is committed as taken: seen, or moved out of the fetched folder."""
    client.add_flags(uids, [SEEN], silent=True)
    if not move_to:
        return
    if client.has_capability("MOVE"):
        client.move(uids, move_to)
    else:
        client.copy(uids, move_to)
        client.delete_messages(uids, silent=True)
        client.expunge(uids if client.has_capability("UIDPLUS") else None)


def _reason(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "the IMAP server refused the connection"
    if isinstance(error, TimeoutError):
        return "the IMAP server did not answer in time"
    text = error.args[0] if error.args else ""
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


@periodic("mail.fetch", every=lambda config: config["MAIL_FETCH_SECONDS"] if config.get("IMAP_URL") else 0)
def fetch_job() -> str:
    config = current_app.config
    try:
        fetched = fetch_alone(config["IMAP_URL"], config["IMAP_MOVE_TO"])
    except Busy as busy:
        log.info("mail fetch: %s", busy)
        return str(busy)
    except FetchFailed as failed:
        log.warning("mail fetch: %s; trying again in %g s", failed, config["MAIL_FETCH_SECONDS"])
        return f"failed: {failed}"
    if fetched.outcomes:
        log.info("mail fetch: %s", fetched.summary())
    return fetched.summary()
