"""Absolute links that people open on another device: the join link, its QR code, invitations."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port

from workshop_site.devserver import is_loopback


def public_url(request, path: str) -> str:
    """`path` on the address this request came to, or on SITE_URL if it came over loopback.

    `make run HOST=0.0.0.0` serves the local network while the instructor's own browser may
    still be on http://127.0.0.1:8000/: a QR code of that address is useless to a phone. When
    the request's host is loopback and SITE_URL is not, the link uses SITE_URL (the machine's
    LAN address there). A deployed site is never reached over loopback; nothing changes there.
    """
    site = urlsplit(settings.SITE_URL)
    host, _port = split_domain_port(request.get_host())
    if is_loopback(host) and not is_loopback(site.hostname or ""):
        return f"{site.scheme}://{site.netloc}{path}"
    return request.build_absolute_uri(path)
