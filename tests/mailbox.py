"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts, and can be told to refuse for a
while (4xx), refuse for good (5xx), hold a mail without answering, or be stopped and started again."""
import asyncio
import email
import threading
from email.policy import default

from aiosmtpd.controller import Controller

from tests.servers import free_port


class Mailbox:
    def __init__(self):
        self.port = free_port()
        self.received: list[email.message.EmailMessage] = []
        self.answer: str | None = None  # e.g. "451 try later" or "550 no such user"; None accepts
        self.hold = threading.Event()  # set: DATA waits until release() before answering
        self._released = None
        self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "Mailbox":
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def release(self) -> None:
        self.hold.clear()
        if self._released is not None:
            self.controller.loop.call_soon_threadsafe(self._released.set)

    async def handle_DATA(self, server, session, envelope):
        if self.hold.is_set():
            self._released = asyncio.Event()
            await self._released.wait()
            return "451 held too long"  # the client that sent it is gone by now
        if self.answer:
            return self.answer
        message = email.message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.received.append(message)
        return "250 OK"
