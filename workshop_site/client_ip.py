"""The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it."""

from django.conf import settings


def client_ip(request) -> str:
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        # Each trusted proxy appends the address it saw; anything further left came from
        # the client and may be forged.
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR", "")
