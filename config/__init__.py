"""Settings read from the environment (and a `.env` file), one class per environment.

`TICKETDESK_ENV` picks the class: `development` (default), `testing` or `production`.
"""
import os
import secrets
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"

load_dotenv(ROOT / ".env")

#: Every environment variable TicketDesk reads (the README's configuration table lists each one).
ENVIRONMENT_VARIABLES = (
    "TICKETDESK_ENV", "DATABASE_URL", "SECRET_KEY", "TICKETDESK_AUTH", "TICKETDESK_ALLOW_AUTH_OFF",
    "LOGIN_RATE_LIMIT", "SIGN_IN_RETENTION_DAYS", "SESSION_LIFETIME_HOURS", "SESSION_IDLE_MINUTES",
    "TICKETDESK_CLASSIFIER", "CLASSIFIER_TIMEOUT", "LEARNED_MIN_EXAMPLES", "LEARNED_MIN_CONFIDENCE",
    "TRIAGE_ON_CREATE",
    "CLASSIFIER_BREAKER_FAILURES", "CLASSIFIER_BREAKER_SECONDS",
    "OPENAI_API_KEY", "OPENAI_MODEL", "OPENAI_BASE_URL", "GEMINI_API_KEY", "GEMINI_MODEL", "GEMINI_BASE_URL",
    "CLASSIFY_RATE_LIMIT", "RATELIMIT_STORAGE_URI", "PROXY_HOPS",
    "CORS_ALLOWED_ORIGINS", "MAX_CONTENT_LENGTH", "LOG_LEVEL", "AUTO_MIGRATE", "TRUSTED_HOSTS",
    "JOB_BROKER_URL", "JOB_WORKERS", "JOB_TICK_SECONDS", "TRAIN_EVERY_HOURS",
    "SMTP_URL", "SMTP_TIMEOUT", "MAIL_FROM", "MAIL_RETRY_SECONDS", "MAIL_CLAIM_SECONDS", "MAIL_SWEEP_SECONDS",
    "IMAP_URL", "IMAP_MOVE_TO", "MAIL_FETCH_SECONDS", "MAIL_MAX_MESSAGE_BYTES", "MAIL_MAX_ATTACHMENT_BYTES",
    "MAIL_ACKNOWLEDGE", "MAIL_MAX_HEADER_BYTES", "MAIL_MAX_HEADER_PARAMS", "MAIL_MAX_PARTS", "MAIL_MAX_DEPTH",
    "MAIL_MAX_ATTACHMENTS", "MAIL_PARSE_SECONDS", "MAIL_AUTHSERV_ID", "MAIL_RETENTION_DAYS", "MAIL_ACK_LIMIT",
    "DESK_URL", "SLA_WARN_MINUTES", "SLA_SCAN_SECONDS",
    # read by gunicorn.conf.py
    "HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "FORWARDED_ALLOW_IPS",
)


def database_url(default: str, name: str = "DATABASE_URL") -> str:
    """The URL in `name`, with the driver made explicit: psycopg 3, whose prepared statements keep plans
    across requests (ticketdesk/pg_connections.py). Some hosts still hand out `postgres://`, and a URL written
    for psycopg2 (which the desk used before) is served by psycopg 3 alike."""
    url = os.environ.get(name) or default
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def gunicorn_threads() -> int:
    """Threads per gunicorn worker: also the most database connections one worker can use at once."""
    return int(os.environ.get("GUNICORN_THREADS") or 4)


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw not in {"0", "false", "no", "off"}


def _float(name: str, default: float, unit: str = "seconds") -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise RuntimeError(f"{name} must be a number of {unit}, got {raw!r}") from None


EMBEDDED_DATABASE = f"sqlite:///{INSTANCE_DIR / 'ticketdesk.db'}"
EMBEDDED_JOBS = f"sqlite:///{INSTANCE_DIR / 'jobs.db'}"


class Config:
    TICKETDESK_ENV = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(EMBEDDED_DATABASE)
    SQLALCHEMY_ENGINE_OPTIONS = {}
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH") or 1024 * 1024)
    # apply the committed migrations at start-up when the database is behind them
    AUTO_MIGRATE = _flag("AUTO_MIGRATE", True)

    # `required` or `off`; unset: off for a development desk on SQLite (a first look needs no set-up), else required
    TICKETDESK_AUTH = os.environ.get("TICKETDESK_AUTH", "").strip().lower() or None
    TICKETDESK_ALLOW_AUTH_OFF = _flag("TICKETDESK_ALLOW_AUTH_OFF", False)  # production with auth off: say so here
    # failed sign-ins allowed for one account from one address in the period, before each further try waits
    # twice as long as the last (ticketdesk/auth/throttle.py); counted in the database, shared by every worker
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT") or "5 per 15 minutes"
    SIGN_IN_RETENTION_DAYS = int(os.environ.get("SIGN_IN_RETENTION_DAYS") or 90)
    # a session ends this long after sign-in, or after this long unused, whichever comes first
    SESSION_LIFETIME_HOURS = _float("SESSION_LIFETIME_HOURS", 12.0, "hours")
    SESSION_IDLE_MINUTES = _float("SESSION_IDLE_MINUTES", 120.0, "minutes")
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True

    # one classifier or a chain asked in order, e.g. learned,openai,keyword (keyword is always the last resort)
    TICKETDESK_CLASSIFIER = os.environ.get("TICKETDESK_CLASSIFIER", "auto").strip().lower() or "auto"
    # the learned classifier abstains on a field until it has this many examples of every label, and on any
    # answer it is less sure of than this (0 to 1); the next classifier in the chain answers instead
    LEARNED_MIN_EXAMPLES = int(os.environ.get("LEARNED_MIN_EXAMPLES") or 20)
    LEARNED_MIN_CONFIDENCE = _float("LEARNED_MIN_CONFIDENCE", 0.4, "between 0 and 1")
    # a new ticket sent through the API without a category or priority gets them from the local classifiers
    # (as if it sent "auto") instead of a 400; for clients that cannot be changed
    TRIAGE_ON_CREATE = _flag("TRIAGE_ON_CREATE", False)
    CLASSIFIER_TIMEOUT = _float("CLASSIFIER_TIMEOUT", 5.0)
    # after this many failures in a row, an LLM is skipped for this many seconds, then tried again
    CLASSIFIER_BREAKER_FAILURES = int(os.environ.get("CLASSIFIER_BREAKER_FAILURES") or 3)
    CLASSIFIER_BREAKER_SECONDS = _float("CLASSIFIER_BREAKER_SECONDS", 30.0)
    OPENAI_API_KEY = os.environ.get("OPENAI_API_KEY")
    OPENAI_MODEL = os.environ.get("OPENAI_MODEL") or "gpt-4o-mini"
    OPENAI_BASE_URL = os.environ.get("OPENAI_BASE_URL") or None
    GEMINI_API_KEY = os.environ.get("GEMINI_API_KEY")
    GEMINI_MODEL = os.environ.get("GEMINI_MODEL") or "gemini-2.5-flash"
    GEMINI_BASE_URL = os.environ.get("GEMINI_BASE_URL") or None

    # suggestions per client address; Redis (redis://host:6379/0) makes the limit hold across workers and hosts
    CLASSIFY_RATE_LIMIT = os.environ.get("CLASSIFY_RATE_LIMIT") or "60 per minute"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True  # Redis unreachable: log and serve rather than fail the request
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    # reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host; the client address (and so
    # the rate limit's key) is read from them. 0 trusts none of those headers: anyone could forge them.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS") or 0)
    # the host names clients reach the desk by; a request naming another gets a 400. The API's absolute
    # links are built from the request's host, so it must be one of these, never whatever a client sent.
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    CORS_ALLOWED_ORIGINS = [o.strip() for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o.strip()]
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()

    # the job engine's queue (Huey): redis://host:6379/1 shared by every web process and worker on any host,
    # or unset for a SQLite file in instance/ (one host: `make run` starts its worker itself)
    JOB_BROKER_URL = os.environ.get("JOB_BROKER_URL") or EMBEDDED_JOBS
    JOB_WORKERS = int(os.environ.get("JOB_WORKERS") or 2)  # threads per `flask worker` process
    JOB_TICK_SECONDS = _float("JOB_TICK_SECONDS", 60.0)  # how often each worker looks for periodic work
    # retrain the learned classifier in the background this often (0: only by `flask triage train`)
    TRAIN_EVERY_HOURS = _float("TRAIN_EVERY_HOURS", 24.0, "hours")

    # outgoing mail: smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465; unset: replies are
    # kept as `unsent`. MAIL_FROM is the support address, e.g. "Example Support <support@example.com>"
    SMTP_URL = os.environ.get("SMTP_URL") or None
    SMTP_TIMEOUT = _float("SMTP_TIMEOUT", 20.0)
    MAIL_FROM = os.environ.get("MAIL_FROM") or None
    # where agents reach the desk (https://desk.example.com), for the links in the mail that tells them of
    # a ticket; unset: that mail names the ticket without a link
    DESK_URL = (os.environ.get("DESK_URL") or "").rstrip("/") or None
    # a temporary failure (refused, timed out, 4xx) is tried again after each of these waits, then given up
    MAIL_RETRY_SECONDS = os.environ.get("MAIL_RETRY_SECONDS") or "30,120,600,1800,7200,21600"
    # a worker holds a mail this long while it talks to the server; one that died lets go when it runs out
    MAIL_CLAIM_SECONDS = _float("MAIL_CLAIM_SECONDS", 300.0)
    # how often queued mail whose job was lost is looked for (and picked up when it has been due this long)
    MAIL_SWEEP_SECONDS = _float("MAIL_SWEEP_SECONDS", 60.0)

    # SLA: how long before a target is due its ticket's owner (or team) is warned, and how often the job
    # worker looks for targets about to break or broken (0: never)
    SLA_WARN_MINUTES = _float("SLA_WARN_MINUTES", 30.0)
    SLA_SCAN_SECONDS = _float("SLA_SCAN_SECONDS", 60.0)

    # incoming mail: the mailbox the worker fetches every MAIL_FETCH_SECONDS, e.g.
    # imaps://support%40example.com:password@imap.example.com/INBOX; unset: mail comes in only by
    # `flask mail ingest` (an MTA pipe). Fetched mail is marked seen, or moved to IMAP_MOVE_TO when set.
    IMAP_URL = os.environ.get("IMAP_URL") or None
    IMAP_MOVE_TO = os.environ.get("IMAP_MOVE_TO") or None
    MAIL_FETCH_SECONDS = _float("MAIL_FETCH_SECONDS", 60.0)
    # a larger mail is quarantined whole; a larger attachment is listed but kept only in the original mail
    MAIL_MAX_MESSAGE_BYTES = int(os.environ.get("MAIL_MAX_MESSAGE_BYTES") or 25 * 1024 * 1024)
    MAIL_MAX_ATTACHMENT_BYTES = int(os.environ.get("MAIL_MAX_ATTACHMENT_BYTES") or 10 * 1024 * 1024)
    # what a mail may hold before it is quarantined unparsed (each checked in one linear pass): header
    # block bytes, parameters in one Content-Type/Disposition header, MIME parts, MIME depth, files kept
    MAIL_MAX_HEADER_BYTES = int(os.environ.get("MAIL_MAX_HEADER_BYTES") or 256 * 1024)
    MAIL_MAX_HEADER_PARAMS = int(os.environ.get("MAIL_MAX_HEADER_PARAMS") or 100)
    MAIL_MAX_PARTS = int(os.environ.get("MAIL_MAX_PARTS") or 500)
    MAIL_MAX_DEPTH = int(os.environ.get("MAIL_MAX_DEPTH") or 20)
    MAIL_MAX_ATTACHMENTS = int(os.environ.get("MAIL_MAX_ATTACHMENTS") or 100)
    # the most time reading one mail may take (in a child process); a slower mail is quarantined
    MAIL_PARSE_SECONDS = _float("MAIL_PARSE_SECONDS", 2.0)
    # the authserv-id of your own receiving server's Authentication-Results (RFC 8601), e.g. mx.example.com:
    # a mail it found DMARC (or SPF without DKIM) failing never writes into an existing ticket. Unset: trusted
    MAIL_AUTHSERV_ID = os.environ.get("MAIL_AUTHSERV_ID") or None
    # days the bytes of ignored, bounced and quarantined mail are kept (their row stays); tickets' own mail stays
    MAIL_RETENTION_DAYS = _float("MAIL_RETENTION_DAYS", 90.0)
    # answer each new ticket that came by mail with its number (threaded like replies; needs SMTP_URL),
    # at most MAIL_ACK_LIMIT times an hour per sender address
    MAIL_ACKNOWLEDGE = _flag("MAIL_ACKNOWLEDGE", False)
    MAIL_ACK_LIMIT = int(os.environ.get("MAIL_ACK_LIMIT") or 3)

    @classmethod
    def finalize(cls, config: dict) -> None:
        """Fill in what depends on the chosen class; called once by the app factory."""
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = _shared_dev_secret()
        _size_pool(config)
        _session_cookie(config)
        _choose_auth(config, "off" if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "required")


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    TESTING = True
    JOB_BROKER_URL = os.environ.get("JOB_BROKER_URL") or "memory://"  # jobs wait until a test runs them
    AUTO_MIGRATE = False  # the test fixtures build the schema themselves
    TICKETDESK_ENV = "testing"
    SQLALCHEMY_DATABASE_URI = database_url("sqlite://", "TEST_DATABASE_URL")


class ProductionConfig(Config):
    TICKETDESK_ENV = "production"

    SESSION_COOKIE_SECURE = True  # production is served over HTTPS (behind the proxy)

    @classmethod
    def finalize(cls, config: dict) -> None:
        _size_pool(config)
        _session_cookie(config)
        _choose_auth(config, "required")
        if config["TICKETDESK_AUTH"] == "off" and not config["TICKETDESK_ALLOW_AUTH_OFF"]:
            raise RuntimeError("TICKETDESK_AUTH=off would let anyone read and change every ticket; in production "
                               "this needs TICKETDESK_ALLOW_AUTH_OFF=1 as well")
        if not config.get("TRUSTED_HOSTS"):
            raise RuntimeError("TICKETDESK_ENV=production needs TRUSTED_HOSTS, the host names clients use to reach "
                               "the desk (for example TRUSTED_HOSTS=desk.example.com,localhost): the API's links "
                               "are built from the request's host, so no other may be accepted")
        if config["SQLALCHEMY_DATABASE_URI"] == EMBEDDED_DATABASE:
            raise RuntimeError("TICKETDESK_ENV=production needs DATABASE_URL: the embedded SQLite file is for "
                               "trying the desk out (for example DATABASE_URL=postgresql://user:password@host/ticketdesk)")
        key = config.get("SECRET_KEY") or ""
        if len(key) < 16 or key in {"change-me", "changeme", "secret", "dev"}:
            raise RuntimeError(
                "SECRET_KEY must be a random value of at least 16 characters in production; "
                "make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def load_settings(overrides: dict | None = None) -> dict:
    """Every setting for `TICKETDESK_ENV` (or `overrides["TICKETDESK_ENV"]`), `overrides` applied, checked:
    a RuntimeError says what is wrong. The app factory and the gunicorn master both read settings here."""
    cls = config_class((overrides or {}).get("TICKETDESK_ENV"))
    settings = {name: getattr(cls, name) for name in dir(cls) if name.isupper()}
    settings.update(overrides or {})
    cls.finalize(settings)
    return settings


def config_class(name: str | None = None) -> type[Config]:
    name = (name or os.environ.get("TICKETDESK_ENV") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"TICKETDESK_ENV must be one of {', '.join(CONFIGS)}, got {name!r}") from None


def _session_cookie(config: dict) -> None:
    """The cookie lives no longer than the session it carries may (the database decides; this tidies up)."""
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_LIFETIME_HOURS"])


def _choose_auth(config: dict, default: str) -> None:
    config["TICKETDESK_AUTH"] = config.get("TICKETDESK_AUTH") or default
    if config["TICKETDESK_AUTH"] not in ("required", "off"):
        raise RuntimeError(f"TICKETDESK_AUTH must be required or off, got {config['TICKETDESK_AUTH']!r}")


def _size_pool(config: dict) -> None:
    """On PostgreSQL, one pooled connection per worker thread and two spare: a worker never waits for a
    connection, and WEB_CONCURRENCY x (GUNICORN_THREADS + 2) stays well under the server's max_connections.
    A database that cannot be reached is given up on after 3 s (the request gets a 503), not waited on, and a
    pooled connection is checked before use, so a restarted server costs no request an error (an SQLite
    file cannot go away under its connections: no check)."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": gunicorn_threads(), "max_overflow": 2, "pool_timeout": 10,
                                               "connect_args": {"connect_timeout": 3}, "pool_pre_ping": True,
                                               **config["SQLALCHEMY_ENGINE_OPTIONS"]}


def _shared_dev_secret() -> str:
    """A random key kept in instance/ so that every gunicorn worker of a dev server signs alike."""
    path = INSTANCE_DIR / ".secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic: the first worker to get here wins, the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def database_label(url: str) -> str:
    """A database URL with any password masked, as the desk says which database it uses."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(unreadable DATABASE_URL)"
