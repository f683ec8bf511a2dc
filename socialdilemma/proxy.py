def client_ip(request):
    """The client's address behind a trusted proxy: the last entry the proxy appended to X-Forwarded-For.

    Used only for rate limiting, where it is hashed and kept briefly in the cache; never stored.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[-1].strip() or request.META.get("REMOTE_ADDR", "")
