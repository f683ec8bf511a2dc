"""Pages whose address carries a secret (a host's private link; guests' and subscribers' links to come)."""

import hashlib
from functools import wraps


def private_page(view):
    """Mark a view's pages private: never stored by any cache, never indexed, their address never sent as
    a referrer (not even to the site's own pages, whose optional analytics script could read it from
    document.referrer), and no third-party script on them (which could read the address): the layout
    leaves out the optional analytics script when request.is_private_page is set."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.is_private_page = True
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def token_hash(token):
    """What is stored of a private link's token: its SHA-256, by which the link is looked up."""
    return hashlib.sha256(token.encode()).hexdigest()
