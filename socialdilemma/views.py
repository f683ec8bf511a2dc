"""The project's own pages: home, legal pages, health check and error pages.

Everything with a model of its own lives in an app (faq, events, consent).
"""

import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token


def home(request):
    return render(
        request,
        "pages/home.html",
        {
            "trailer_youtube_id": settings.TRAILER_YOUTUBE_ID,
            "trailer_play": request.GET.get("trailer") == "play",
        },
    )


def privacy(request):
    return render(
        request,
        "pages/privacy.html",
        {
            "personal_data_days": settings.SCREENING_PERSONAL_DATA_DAYS,
            "host_link_days": settings.SCREENING_HOST_LINK_DAYS,
        },
    )


def code_of_conduct(request):
    return render(request, "pages/code_of_conduct.html")


def imprint(request):
    return render(request, "pages/imprint.html", {"imprint": settings.IMPRINT})


@never_cache
def healthz(request):
    """200 when the database answers a query, 503 when it does not; never a stack trace."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@requires_csrf_token
def server_error(request):
    """The 500 page, in the request's language, without touching the database or context processors.

    When the error is the database not answering, the page says so with 503 and Retry-After: the
    site recovers by itself once the database is back (connections are checked before reuse).
    """
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        body = loader.get_template("503.html").render({})
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "60"
        return response
    body = loader.get_template("500.html").render({"request_path": request.path})
    return HttpResponse(body, status=500)
