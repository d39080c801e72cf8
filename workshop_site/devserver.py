"""The environment `make run` (bin/dev) starts the web and worker processes with.

`make run` serves this machine only: 127.0.0.1, DEBUG on. `make run HOST=0.0.0.0` serves the
local network too, so phones on the same Wi-Fi can scan the workshop's QR code: the links and
the QR then carry the machine's LAN address (SITE_URL), the server answers to that address
(ALLOWED_HOSTS), and DEBUG is off, so nobody on the network sees Django's debug pages (its 404
lists every URL, its 500 the settings) — they get the site's own Korean error pages.

Both are development servers; production starts with bin/start-web and bin/start-worker.

    python -m workshop_site.devserver HOST PORT

prints shell assignments for bin/dev to `eval`; variables already set in the environment win.
"""

import ipaddress
import os
import shlex
import socket
import sys

LOOPBACK = "127.0.0.1"
# Any private address works: "connecting" a UDP socket sends no packet, it only makes the kernel
# pick the interface (and so the source address) it would route through. No internet needed.
_PROBE = ("10.255.255.255", 1)
ALL_INTERFACES = {"0.0.0.0", "::"}  # noqa: S104  # nosec B104 - binding every interface is the point


def lan_address(probe: tuple[str, int] = _PROBE) -> str:
    """This machine's address on the local network, or 127.0.0.1 if it has none."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(probe)
            address = sock.getsockname()[0]
    except OSError:
        return LOOPBACK
    if address in ALL_INTERFACES or ipaddress.ip_address(address).is_loopback:
        return LOOPBACK
    return address


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run_environment(host: str, port: int, address: str | None = None) -> dict[str, str]:
    """The variables for a development server bound to `host`:`port`.

    `address`: the LAN address to publish when `host` is every interface (found when None).
    Besides the settings, BIND is what daphne binds and DEV_NETWORK what bin/dev says: `local`
    (this machine only), `lan` or `lan-unknown` (every interface, but no LAN address was found);
    bin/dev prints SITE_URL as the address to open.
    """
    common = {
        "BIND": host,
        # Static files from the app folders, no collectstatic; plain log lines in the terminal.
        "WHITENOISE_USE_FINDERS": "1",
        "STATIC_MANIFEST": "0",
        "LOG_FORMAT": "plain",
    }
    if is_loopback(host):
        url = f"http://{LOOPBACK}:{port}"
        return {**common, "DEBUG": "1", "SITE_URL": url, "DEV_NETWORK": "local"}
    published = (address or lan_address()) if host in ALL_INTERFACES else host
    url = f"http://{_url_host(published)}:{port}"
    hosts = [_url_host(published), "localhost", LOOPBACK, "[::1]"]
    return {
        **common,
        "DEBUG": "0",
        "SITE_URL": url,
        "ALLOWED_HOSTS": ",".join(dict.fromkeys(hosts)),
        "DEV_NETWORK": "lan-unknown" if is_loopback(published) else "lan",
    }


def _url_host(address: str) -> str:
    try:
        return f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    except ValueError:
        return address


_NOT_SETTINGS = {"BIND", "DEV_NETWORK"}


def shell_assignments(values: dict[str, str], environ) -> str:
    """`export NAME=value` lines; a variable the person set already keeps its value."""
    lines = []
    for name, value in values.items():
        if name not in _NOT_SETTINGS and environ.get(name):
            value = environ[name]
        lines.append(f"export {name}={shlex.quote(value)}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m workshop_site.devserver HOST PORT", file=sys.stderr)
        return 2
    host, port = argv
    if not port.isdigit():
        print(f"PORT must be a number, got {port!r}", file=sys.stderr)
        return 2
    print(shell_assignments(run_environment(host, int(port)), os.environ))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
