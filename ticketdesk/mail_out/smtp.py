"""Handing one mail to the SMTP server (smtplib), with every failure sorted into temporary (try again later:
refused, timed out, disconnected, 4xx) or permanent (5xx: the server will never take it)."""
import smtplib
import ssl
from email.message import EmailMessage

from .settings import smtp


class Temporary(Exception):
    """Worth trying again later."""


class Permanent(Exception):
    """The server refused this mail for good."""


def send(message: EmailMessage, url: str, timeout: float) -> None:
    """Returns once the server has accepted `message` for every recipient; raises Temporary or Permanent."""
    server = smtp(url)
    try:
        if server.ssl:
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            if server.starttls:
                client.starttls(context=ssl.create_default_context())
            if server.user:
                client.login(server.user, server.password or "")
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as e:
        # the desk's own settings are wrong: retry (an operator can fix SMTP_URL meanwhile), do not fail the mail
        raise Temporary(f"the mail server refused the desk's sign-in ({e.smtp_code}): check SMTP_URL") from None
    except smtplib.SMTPRecipientsRefused as e:
        code, text = next(iter(e.recipients.values()))
        raise _by_code(code, text) from None
    except smtplib.SMTPResponseException as e:
        raise _by_code(e.smtp_code, e.smtp_error) from None
    except (smtplib.SMTPException, OSError) as e:  # refused, reset, timed out, TLS, a server that hung up
        raise Temporary(_reason(e)) from None
    if refused:  # some recipients refused (the desk sends to one, so this is that one)
        code, text = next(iter(refused.values()))
        raise _by_code(code, text)


def _by_code(code: int, text) -> Exception:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    said = f"{code} {text}".strip()
    return Permanent(said) if 500 <= code < 600 else Temporary(said)


def _reason(error: Exception) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection"
    if isinstance(error, TimeoutError):
        return "the mail server did not answer in time"
    return str(error) or type(error).__name__
