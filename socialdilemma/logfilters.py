"""Filters for the site's log lines."""

import logging
import re

from django.conf import settings


class ClientErrorsWithoutTraceback(logging.Filter):
    """Requests that Django refuses as suspicious (a Host outside ALLOWED_HOSTS, say) are the client's
    error, answered 400: one line each, not a traceback of the site's own code."""

    def filter(self, record):
        if record.name.startswith("django.security."):
            record.exc_info = None
            record.exc_text = None
        return True


class RedactPrivateData(logging.Filter):
    """No private link, email address or search word in any log line: the secret part of every path
    of PRIVATE_PATH_PATTERNS, every email address and every query string's values are replaced, in the
    message and in a traceback's text. (Django's request logger writes the path of every 4xx and 5xx; a
    mail server's refusal names the address.)"""

    EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
    QUERY_VALUE = re.compile(r"([?&][^=&\s\"'#]*=)[^&\s\"'#]*")

    def __init__(self):
        super().__init__()
        self.private_paths = [re.compile(pattern) for pattern in settings.PRIVATE_PATH_PATTERNS]

    def redact(self, text):
        for pattern in self.private_paths:
            text = pattern.sub(r"\1[private]", text)
        text = self.EMAIL.sub("[email]", text)
        return self.QUERY_VALUE.sub(r"\1[redacted]", text)

    def filter(self, record):
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True
