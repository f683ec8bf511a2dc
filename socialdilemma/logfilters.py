"""Filters for the site's log lines."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """Requests that Django refuses as suspicious (a Host outside ALLOWED_HOSTS, say) are the client's
    error, answered 400: one line each, not a traceback of the site's own code."""

    def filter(self, record):
        if record.name.startswith("django.security."):
            record.exc_info = None
            record.exc_text = None
        return True
