import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message, as one does during an outage."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class TemporaryRefusalBackend(BaseEmailBackend):
    """A mail server that answers 451 (greylisting, a full queue): try again later."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(451, b"4.7.1 Greylisted for someone@example.org, try again later")


class PermanentRefusalBackend(BaseEmailBackend):
    """A mail server that refuses the recipient for good (550)."""

    def send_messages(self, email_messages):
        recipient = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, b"5.1.1 No such user " + recipient.encode())})


class TemporaryRecipientRefusalBackend(BaseEmailBackend):
    """A mail server that refuses one recipient for now (452: that mailbox is over quota)."""

    def send_messages(self, email_messages):
        recipient = email_messages[0].to[0]
        if recipient.startswith("full"):
            raise smtplib.SMTPRecipientsRefused({recipient: (452, b"4.2.2 Mailbox full")})
        return len(email_messages)
