"""The client's address, as our own edge proxy reported it and nothing a client wrote itself.

Two ways, chosen by settings:
- CLIENT_IP_HEADER (Railway: `X-Real-IP`): the edge sets this header to the address it accepted
  the connection from, replacing whatever the client sent; we read it and nothing else.
- TRUSTED_PROXY_COUNT: that many proxies append to X-Forwarded-For; the entry that many hops
  from the right is the client (anything further left came from the client and may be forged).
Neither: the socket's address. A value that is not an IP address falls back to the socket's.
"""

import ipaddress

from django.conf import settings


def _address(value: str) -> str:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request) -> str:
    header = settings.CLIENT_IP_HEADER
    if header:
        address = _address(request.headers.get(header, ""))
        if address:
            return address
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not header and count and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            address = _address(hops[-count])
            if address:
                return address
    return request.META.get("REMOTE_ADDR", "")
