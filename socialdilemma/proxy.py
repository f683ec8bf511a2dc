import contextlib
import ipaddress

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


def client_id(request):
    """The client as the limits count it: its address (client_ip), an IPv6 address by its /64 network,
    the share of one household, office or machine, all of whose addresses their owner may use (and an
    attacker could rotate through)."""
    address = client_ip(request)
    with contextlib.suppress(ValueError):
        ip = ipaddress.ip_address(address)
        if ip.version == 4:
            return str(ip)
        if ip.ipv4_mapped:  # an IPv4 client seen through an IPv6 socket: counted as that IPv4 address
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address
