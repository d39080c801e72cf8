"""Path converters that refuse, in the resolver, what no row could match.

Django's `int` converter accepts any run of digits; an id past 2**63 - 1 then reaches the
database, where SQLite overflows (a 500) and PostgreSQL errors. `id` stops at 18 digits, so
such an address is a plain 404. `token` admits only what `secrets.token_urlsafe` makes, so a
NUL or other text PostgreSQL refuses never reaches a query.
"""

from django.urls import register_converter


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class TokenConverter:
    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class FileFormat:
    regex = "xlsx|csv"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value


register_converter(IdConverter, "id")
register_converter(TokenConverter, "token")
register_converter(FileFormat, "fmt")
