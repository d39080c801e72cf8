"""A strict fake of Postmark's "send a single email" API on loopback.

django-anymail's Postmark backend talks to it (ANYMAIL POSTMARK_API_URL), so sign-in codes go
through the same code path as production: serialisation, the token header, the answer parsing.
It refuses what Postmark documents as refused, each rule beside the page that says so:

- Email API, "Send a single email": https://postmarkapp.com/developer/api/email-api
  POST /email; headers Accept and Content-Type application/json and X-Postmark-Server-Token;
  `From` (a confirmed sender signature, or an address on a verified domain), `To`, `TextBody`
  or `HtmlBody` required; the answer {To, SubmittedAt, MessageID, ErrorCode 0, Message "OK"}.
- "Troubleshooting 422 Unprocessable Entity errors" (postmarkapp.com/support): Subject too.
- API overview: https://postmarkapp.com/developer/api/overview
  "The header name and value are case insensitive"; the token POSTMARK_API_TEST is accepted
  and nothing is delivered; "the maximum number of recipients for each email is 50, including
  all To, CC, and BCC". Response codes: 401 for a missing or incorrect API token; 422 with
  ErrorCode 300 (invalid email request: a malformed field or address), 400 (sender signature
  not found), 402 (invalid JSON), 409 (JSON required: Accept and Content-Type not
  application/json).

Run it by hand with `python -m support.fake_mail_api --port 8025`: it prints each
message it accepts (the sign-in code is in the text).
"""

import argparse
import datetime
import json
import threading
import time
import uuid
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_RECIPIENTS = 50  # To, Cc and Bcc together (API overview)
TEST_TOKEN = "POSTMARK_API_TEST"  # noqa: S105 - Postmark's documented test token
ADDRESS_FIELDS = ("From", "To", "Cc", "Bcc", "ReplyTo")
TEXT_FIELDS = ("Subject", "TextBody", "HtmlBody", "Tag", "MessageStream")


class FakePostmark:
    def __init__(
        self,
        *,
        token="fake-server-token",  # noqa: S107 - a test server
        senders=("workshop@example.com",),
        sender_domains=(),
    ):
        self.token = token
        self.senders = {sender.lower() for sender in senders}
        self.sender_domains = {domain.lower() for domain in sender_domains}
        self.messages: list[dict] = []
        self.refusals: list[dict] = []
        self.delay = 0.0  # seconds before answering: a slow provider
        self.fail_with: int | None = None  # answer this HTTP status to every request
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> "FakePostmark":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def check(self, headers, raw: bytes) -> tuple[int, dict]:
        """Postmark's answer to a POST /email with these headers and body."""
        token = (headers.get("X-Postmark-Server-Token") or "").lower()
        if not token or token not in {self.token.lower(), TEST_TOKEN.lower()}:
            # overview#response-codes: "401 Unauthorized: Missing or incorrect API token in
            # header." (error code 10, "Bad or missing API token")
            return 401, {"ErrorCode": 10, "Message": "Bad or missing API token."}
        if not (
            headers.get("Accept", "").startswith("application/json")
            and headers.get("Content-Type", "").startswith("application/json")
        ):
            # overview#error-codes 409: "JSON required: Your HTTP request does not have the
            # Accept and Content-Type headers set to application/json."
            return 422, {"ErrorCode": 409, "Message": "JSON required."}
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 422, {"ErrorCode": 402, "Message": "Invalid JSON."}
        if not isinstance(body, dict):
            return 422, {"ErrorCode": 402, "Message": "Invalid JSON."}
        for field in ADDRESS_FIELDS + TEXT_FIELDS:
            if body.get(field) is not None and not isinstance(body[field], str):
                return 422, {"ErrorCode": 300, "Message": f"Invalid '{field}' value."}
        for field in ADDRESS_FIELDS:
            for _name, address in getaddresses([body.get(field) or ""]):
                if "@" not in address or address.startswith("@") or address.endswith("@"):
                    return 422, {
                        "ErrorCode": 300,
                        "Message": f"Invalid '{field}' address: '{address}'.",
                    }
        sender = body.get("From")
        if not sender:
            return 422, {"ErrorCode": 300, "Message": "Invalid 'From' address: ''."}
        sender_address = getaddresses([sender])[0][1].lower()
        if (
            sender_address not in self.senders
            and sender_address.rsplit("@", 1)[-1] not in self.sender_domains
        ):
            # overview#error-codes 400: "Sender signature not found".
            return 422, {
                "ErrorCode": 400,
                "Message": f"The 'From' address you supplied ({sender}) is not a Sender "
                "Signature on your account.",
            }
        if not body.get("To"):
            return 422, {"ErrorCode": 300, "Message": "Zero recipients specified"}
        recipients = [
            address
            for field in ("To", "Cc", "Bcc")
            for _name, address in getaddresses([body.get(field) or ""])
            if address
        ]
        if len(recipients) > MAX_RECIPIENTS:
            return 422, {
                "ErrorCode": 300,
                "Message": f"Maximum of {MAX_RECIPIENTS} recipients allowed per message.",
            }
        if not body.get("Subject"):
            # Postmark's support article on 422 errors ("Troubleshooting 422 Unprocessable
            # Entity errors"): every /email request must contain From, To, a Subject and
            # HtmlBody or TextBody. (The API reference does not mark Subject required.)
            return 422, {"ErrorCode": 300, "Message": "Provide a Subject."}
        if not (body.get("TextBody") or body.get("HtmlBody")):
            return 422, {
                "ErrorCode": 300,
                "Message": "Provide either email TextBody or HtmlBody or both.",
            }
        if token != TEST_TOKEN.lower():  # the test token is answered, nothing is delivered
            with self.lock:
                self.messages.append(body)
        return 200, {
            "To": body["To"],
            "SubmittedAt": datetime.datetime.now(datetime.UTC).isoformat(),
            "MessageID": str(uuid.uuid4()),
            "ErrorCode": 0,
            "Message": "OK",
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.fail_with:
                    self._answer(fake.fail_with, {"ErrorCode": 0, "Message": "Unavailable"})
                    return
                if self.path.rstrip("/") != "/email":
                    self._answer(404, {"ErrorCode": 0, "Message": "Not found"})
                    return
                status, payload = fake.check(self.headers, raw)
                if status != 200:
                    with fake.lock:
                        fake.refusals.append(payload)
                self._answer(status, payload)

            def do_GET(self):
                self._answer(405, {"ErrorCode": 0, "Message": "Method not allowed"})

        return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--token", default="fake-server-token")
    parser.add_argument("--sender", action="append", default=None)
    options = parser.parse_args()
    fake = FakePostmark(token=options.token, senders=options.sender or ["workshop@example.com"])
    fake.httpd.server_close()
    fake.httpd = ThreadingHTTPServer(("127.0.0.1", options.port), fake._handler())
    print(f"fake Postmark API on {fake.url} (token {options.token})", flush=True)
    seen = 0
    fake.start()
    try:
        while True:
            time.sleep(0.5)
            with fake.lock:
                new = fake.messages[seen:]
                seen = len(fake.messages)
            for message in new:
                print(f"--- to {message['To']}: {message.get('Subject', '')}", flush=True)
                print(message.get("TextBody") or message.get("HtmlBody"), flush=True)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
