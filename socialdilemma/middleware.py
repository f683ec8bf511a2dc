from django.conf import settings
from django.shortcuts import render


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (Django has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


# Form data in any other encoding is refused before anything reads it (browsers send this site's UTF-8).
READABLE_CHARSETS = {"utf-8", "utf8", "us-ascii", "ascii"}


class RequestCharsetMiddleware:
    """Answers 400 with the site's own page to a request body in an encoding the site does not read (a
    Content-Type naming another or an unknown charset), before Django decodes the body: decoding it would
    fail inside the view, and again inside the error pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = _charset(request.META.get("CONTENT_TYPE", ""))
        if charset is not None and charset not in READABLE_CHARSETS:
            return render(request, "400.html", status=400)
        return self.get_response(request)


def _charset(content_type):
    for parameter in content_type.split(";")[1:]:
        name, _equals, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None
