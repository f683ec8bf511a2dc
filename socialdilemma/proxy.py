from django.conf import settings


def client_ip(request):
    """The client's address: behind a trusted proxy (DJANGO_TRUST_X_FORWARDED_FOR), the last entry the
    proxy appended to X-Forwarded-For; otherwise the connection's own address, whatever the request says.

    Used only to count a client's requests (rate limits, the unanswered searches' second visitor), where
    it is hashed and kept briefly in the cache; never stored.
    """
    if not settings.RATELIMIT_TRUST_FORWARDED_FOR:
        return request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
