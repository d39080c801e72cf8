"""`make run` and `make run HOST=0.0.0.0`: the development server's environment, the LAN
address it publishes, and the join link and QR code a phone on the same network can open."""

import ipaddress
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from workshop_site.devserver import lan_address, run_environment, shell_assignments
from workshop_site.links import public_url

ROOT = Path(__file__).resolve().parents[2]


# --- The LAN address ---------------------------------------------------------------------------


def test_the_lan_address_is_one_of_this_machines_addresses_or_loopback():
    address = lan_address()
    assert ipaddress.ip_address(address).version == 4
    # Binding fails (EADDRNOTAVAIL) for an address that is not this machine's.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
    if address != "127.0.0.1":
        assert not ipaddress.ip_address(address).is_loopback


def test_without_a_route_to_a_private_network_the_address_is_loopback():
    assert lan_address(probe=("256.1.1.1", 1)) == "127.0.0.1"  # unresolvable: OSError
    assert lan_address(probe=("127.0.0.1", 9)) == "127.0.0.1"  # routed over loopback


# --- The environment bin/dev starts with --------------------------------------------------------


def test_the_default_serves_this_machine_with_debug_on():
    env = run_environment("127.0.0.1", 9000)
    assert env["BIND"] == "127.0.0.1"
    assert env["DEBUG"] == "1"
    assert env["SITE_URL"] == "http://127.0.0.1:9000"  # the port it serves, not always 8000
    assert env["DEV_NETWORK"] == "local"
    assert "ALLOWED_HOSTS" not in env  # DEBUG's localhost default


def test_every_interface_publishes_the_lan_address_with_debug_off():
    env = run_environment("0.0.0.0", 8000, address="192.168.0.23")  # noqa: S104
    assert env["BIND"] == "0.0.0.0"  # noqa: S104
    assert env["SITE_URL"] == "http://192.168.0.23:8000"
    assert env["ALLOWED_HOSTS"].split(",") == ["192.168.0.23", "localhost", "127.0.0.1", "[::1]"]
    # Phones get the site's own Korean error pages, not Django's URL list or settings.
    assert env["DEBUG"] == "0"
    assert (env["WHITENOISE_USE_FINDERS"], env["STATIC_MANIFEST"]) == ("1", "0")
    assert env["DEV_NETWORK"] == "lan"


def test_a_named_interface_is_published_as_it_is():
    env = run_environment("10.1.2.3", 8000)
    assert env["SITE_URL"] == "http://10.1.2.3:8000"
    assert env["ALLOWED_HOSTS"].startswith("10.1.2.3,")


def test_no_network_says_so_instead_of_publishing_a_wrong_address():
    env = run_environment("0.0.0.0", 8000, address="127.0.0.1")  # noqa: S104
    assert env["DEV_NETWORK"] == "lan-unknown"
    assert env["SITE_URL"] == "http://127.0.0.1:8000"


def test_what_the_person_set_wins_except_the_bind_address():
    values = run_environment("0.0.0.0", 8000, address="192.168.0.23")  # noqa: S104
    lines = shell_assignments(
        values, {"SITE_URL": "https://demo.example.com", "BIND": "1.2.3.4", "DEBUG": ""}
    ).splitlines()
    assert "export SITE_URL=https://demo.example.com" in lines
    assert "export BIND=0.0.0.0" in lines
    assert "export DEBUG=0" in lines  # set but empty: the derived value


def test_the_settings_follow_the_derived_environment_in_a_fresh_process():
    """What bin/dev does: eval the module's output, then start Django with it."""
    script = (
        'eval "$("$PY" -m workshop_site.devserver 0.0.0.0 8123)" && "$PY" -c '
        '"import json, workshop_site.settings as s; print(json.dumps('
        '[s.DEBUG, s.SITE_URL, s.ALLOWED_HOSTS, s.LOG_FORMAT]))"'
    )
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PY": sys.executable, "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=True,
    )
    debug, site_url, allowed_hosts, log_format = json.loads(result.stdout)
    address = lan_address()
    assert debug is False
    assert site_url == f"http://{address}:8123"
    assert allowed_hosts[0] == address and "127.0.0.1" in allowed_hosts
    assert log_format == "plain"


def test_make_run_passes_host_through_to_bin_dev():
    def run_line(*args):
        # Run as a make of its own: under `make test` the parent's MAKEFLAGS and MAKELEVEL
        # would make it print "Entering/Leaving directory" lines around the recipe.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        result = subprocess.run(
            ["make", "--no-print-directory", "-n", "run", *args],
            cwd=ROOT,
            env={**env, "HOST": "laptop.example"},  # as tcsh exports it: ignored
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.splitlines()[-1]

    assert run_line("HOST=0.0.0.0", "PORT=8001") == "HOST=0.0.0.0 PORT=8001 bin/dev"
    assert run_line() == "HOST=127.0.0.1 PORT=8000 bin/dev"


# --- The join link and QR code ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "site_url", "expected"),
    [
        # The instructor's own browser on loopback while phones use the LAN address.
        ("127.0.0.1:8000", "http://192.168.0.23:8000", "http://192.168.0.23:8000/join/ABC234/"),
        ("localhost:8000", "http://192.168.0.23:8000", "http://192.168.0.23:8000/join/ABC234/"),
        # Opened on the LAN address itself, or plain `make run`: the address of the request.
        ("192.168.0.23:8000", "http://192.168.0.23:8000", "http://192.168.0.23:8000/join/ABC234/"),
        ("127.0.0.1:9000", "http://127.0.0.1:8000", "http://127.0.0.1:9000/join/ABC234/"),
        # A deployed site: never loopback, SITE_URL does not matter.
        (
            "workshop.example.com",
            "http://192.168.0.23:8000",
            "http://workshop.example.com/join/ABC234/",
        ),
    ],
)
def test_links_for_other_devices_never_point_at_loopback_when_the_lan_is_served(
    settings, host, site_url, expected
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = site_url
    request = RequestFactory().get("/", HTTP_HOST=host)
    assert public_url(request, "/join/ABC234/") == expected


@pytest.mark.django_db
def test_the_instructors_qr_code_on_loopback_carries_the_lan_address(
    client, settings, instructor, workshop
):
    settings.ALLOWED_HOSTS = ["192.168.0.23", "127.0.0.1"]
    settings.SITE_URL = "http://192.168.0.23:8000"
    client.force_login(instructor)
    response = client.get(workshop.get_absolute_url(), HTTP_HOST="127.0.0.1:8000")
    assert response.context["join_url"] == f"http://192.168.0.23:8000{workshop.get_join_url()}"
    assert response.context["join_url"] in response.content.decode()
