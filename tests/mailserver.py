"""Real SMTP peers for the tests: a sink that records what it accepts (aiosmtpd), one that answers 4xx
for a while, and a relay that accepts connections and never speaks."""

import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes

from aiosmtpd.controller import Controller


class Sink:
    """Accepts every message and records (recipient, Message-ID, subject). `refuse_first` answers the
    first N messages with a temporary refusal (451); `delay` seconds are spent on each message."""

    def __init__(self, *, refuse_first=0, delay=0.0):
        self.received = []
        self.refused = 0
        self.refuse_first = refuse_first
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            if self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Try again later"
        if self.delay:
            time.sleep(self.delay)  # a slow server (blocks its loop, as a busy one would)
        message = message_from_bytes(envelope.content)
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, message["Message-ID"], message["Subject"]))
        return "250 2.0.0 OK"

    def recipients(self):
        with self._lock:
            return [recipient for recipient, _message_id, _subject in self.received]

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        while len(self.recipients()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return len(self.recipients())


@contextmanager
def smtp_sink(port, **options):
    sink = Sink(**options)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@contextmanager
def hung_relay(port):
    """A mail server that accepts TCP connections (the kernel completes them) and never says a word."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        yield
