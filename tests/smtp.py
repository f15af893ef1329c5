"""A real SMTP server on loopback for the mail tests (aiosmtpd), with knobs for failures."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.conftest import free_port


def header(message, name: str) -> str | None:
    """A header's value; long ones arrive folded right after the colon, so strip."""
    value = message[name]
    return None if value is None else str(value).strip()


class Mailbox:
    """An aiosmtpd handler that keeps what arrives, with knobs for the failure tests."""

    def __init__(self):
        self.messages: list[dict] = []
        self.lock = threading.Lock()
        self.refuse: dict[str, str] = {}  # address -> SMTP reply to RCPT TO
        self.delay = 0.0  # seconds before each message is accepted
        self.hold_at: int | None = None  # the n-th DATA (1-based) waits until released
        self.held = threading.Event()
        self.release = threading.Event()
        self.data_count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_count += 1
            number = self.data_count
        if self.hold_at is not None and number == self.hold_at:
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        if self.delay:
            await asyncio.sleep(self.delay)
        if server.transport is None or server.transport.is_closing():
            # The client is gone before we could say "250": like a real MTA, we have not
            # taken responsibility for this message (aiosmtpd usually cancels us first).
            return "421 closing"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(
                {
                    "to": list(envelope.rcpt_tos),
                    "message": message,
                    "message_id": message["Message-ID"],
                    "at": timezone.now(),
                }
            )
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def subjects(self) -> list[str]:
        with self.lock:
            return [header(m["message"], "Subject") for m in self.messages]


def serve(settings):
    handler = Mailbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 10
    handler.port = port
    try:
        yield handler
    finally:
        handler.release.set()
        controller.stop()
