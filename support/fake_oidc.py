"""A small OpenID Connect provider on loopback for the SSO tests.

Discovery, authorize (approves at once, as the person set on the server), token (an RS256
id_token), userinfo and JWKS: enough for django-allauth's openid_connect provider to sign
someone in end to end.
"""

import base64
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeOIDC:
    def __init__(self, *, client_id="workshop", client_secret="s3cret"):  # noqa: S107 - a test provider
        self.client_id, self.client_secret = client_id, client_secret
        self.person = {"sub": "u-1", "email": "lead@example.com", "name": "박팀장"}
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> "FakeOIDC":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "email_verified": True,
            **self.person,
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": fake.issuer,
                            "authorization_endpoint": f"{fake.issuer}/authorize",
                            "token_endpoint": f"{fake.issuer}/token",
                            "userinfo_endpoint": f"{fake.issuer}/userinfo",
                            "jwks_uri": f"{fake.issuer}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif url.path == "/authorize":
                    if query.get("client_id") != fake.client_id:
                        self._json({"error": "unauthorized_client"}, 400)
                        return
                    code = secrets.token_urlsafe(16)
                    fake.codes[code] = query
                    target = (
                        query["redirect_uri"]
                        + "?"
                        + urllib.parse.urlencode({"code": code, "state": query.get("state", "")})
                    )
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/userinfo":
                    self._json({**fake.person, "email_verified": True})
                elif url.path == "/jwks":
                    numbers = fake.key.public_key().public_numbers()
                    self._json(
                        {
                            "keys": [
                                {
                                    "kty": "RSA",
                                    "kid": "k1",
                                    "use": "sig",
                                    "alg": "RS256",
                                    "n": _b64(numbers.n),
                                    "e": _b64(numbers.e),
                                }
                            ]
                        }
                    )
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.token_requests.append(form)
                if self.path != "/token":
                    self._json({"error": "not_found"}, 404)
                    return
                grant = fake.codes.pop(form.get("code", ""), None)
                if grant is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                self._json(
                    {
                        "access_token": secrets.token_urlsafe(16),
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "id_token": fake.id_token(grant.get("nonce")),
                    }
                )

        return Handler


def main() -> None:
    """`python -m support.fake_oidc`: serve on a port and print the settings that use it."""
    import argparse

    parser = argparse.ArgumentParser(description="A fake OpenID Connect provider on loopback.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--email", default="lead@example.com")
    options = parser.parse_args()
    fake = FakeOIDC()
    fake.person = {**fake.person, "email": options.email}
    fake.httpd.server_close()
    fake.httpd = ThreadingHTTPServer(("127.0.0.1", options.port), fake._handler())
    print(
        f"fake OIDC provider on {fake.issuer}: signs everyone in as {options.email}\n"
        f"  OIDC_ISSUER={fake.issuer} OIDC_CLIENT_ID={fake.client_id} "
        f"OIDC_CLIENT_SECRET={fake.client_secret}",
        flush=True,
    )
    fake.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
