from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.shortcuts import render

from .i18n import is_public_path


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
    fail inside the view, and again inside the error pages. On public pages, files in a body are not read
    (NoFileUploadHandler): Django's limit on a body's size leaves them out, and would write them to disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        charset = _charset(content_type)
        if charset is not None and charset not in READABLE_CHARSETS:
            return render(request, "400.html", status=400)
        if is_public_path(request.path_info):
            request.upload_handlers = [NoFileUploadHandler(request)]
        return self.get_response(request)


class NoFileUploadHandler(FileUploadHandler):
    """The public pages' forms have no file field: a file in a form's body ends the reading of the body
    there (the fields before it are kept), instead of being written to disk, however large it is."""

    def new_file(self, *args, **kwargs):
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


def _charset(content_type):
    for parameter in content_type.split(";")[1:]:
        name, _equals, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to an address that takes only forms (a language switch or a reload after a
    form's answer) with an empty 405: on the site's pages it gets a page that says so, in its language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content and is_public_path(request.path_info):
            page = render(request, "405.html", status=405)
            # Allow, and what a private page's answer says (socialdilemma.private: no-store, noindex, no
            # referrer: its address carries a token, which the page's links must not pass on).
            for header in ("Allow", "Cache-Control", "X-Robots-Tag", "Referrer-Policy"):
                if header in response:
                    page[header] = response[header]
            return page
        return response
