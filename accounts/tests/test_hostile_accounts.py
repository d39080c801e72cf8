"""Hostile input on accounts: signing in by e-mail code, the profile name, and allauth's stock
account pages. The catalogue and its checks are in tests/hostile.py; the properties are
described in tests/test_hostile_input.py.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from accounts.models import User
from tests.hostile import (
    HOSTILE_TEXT,
    NAME_LIMIT,
    any_text,
    as_django_reads,
    assert_errors_are_korean,
    assert_kept,
    assert_korean_error,
    assert_shown,
    body_of,
    examples,
    hostile_setup,  # noqa: F401  (autouse: the limits out of the way, the counts)
    hostile_text_examples,
    kept_text,
    outcome,
    post,
    raw_value,
    rolled_back,
    same_site,
    text_input,
    too_big,
)

# --- Signing in by e-mail code ------------------------------------------------------------------


def email_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(email=value)(test)
    for email in [
        "LEAD@Example.COM",
        " lead@example.com ",
        "a@b",
        "@example.com",
        "lead@@example.com",
        "lead@example.com\x00",
        "리더@예시.한국",
        "lead+<script>@example.com",
        "a" * 64 + "@" + "b" * 63 + ".com",
        "x" * 400 + "@example.com",
    ]:
        test = example(email=email)(test)
    return test


def over_model_length(email: str) -> bool:
    # Addresses Django's form accepts (up to 320 characters) but the account table does not
    # (254): see test_an_address_longer_than_an_account_can_hold_is_refused_in_korean.
    return 254 < len(email.strip()) <= 320


@examples(25)
@given(email=st.one_of(st.emails(), text_input).filter(lambda e: not over_model_length(e)))
@email_examples
def test_requesting_a_sign_in_code_never_crashes_and_explains_refusals_in_korean(db, client, email):
    with rolled_back():
        users_before = User.objects.count()
        response = post(
            client,
            reverse("account_request_login_code"),
            {"email": email},
            endpoint="account_request_login_code",
        )
        same_site(response)
        if outcome(response.status_code == 302):
            address = email.strip().lower()
            assert User.objects.filter(email__iexact=address).exists()
            assert mail.outbox and mail.outbox[-1].to == [address]
            page = body_of(client.get(response["Location"]))
            assert escape(address) in page
            mail.outbox.clear()
            return
        assert_korean_error(response, typed=[email])
        assert User.objects.count() == users_before
        if not too_big(response.sent_body) and "\x00" not in email:
            assert_kept(response, [email.strip()])


def code_examples(test):
    for value in HOSTILE_TEXT.values():
        test = example(code=value, action="")(test)
    for code in ["0000-0000", "ABCD-EFGH", "-", "😀😀😀😀-😀😀😀😀", "\x00" * 8]:
        test = example(code=code, action="")(test)
    for action in ["resend", "RESEND", "<script>alert(1)</script>", "\x00"]:
        test = example(code="0000-0000", action=action)(test)
    return test


@examples(15)
@given(
    code=st.one_of(text_input, st.from_regex(r"[A-Z0-9]{4}-[A-Z0-9]{4}", fullmatch=True)),
    action=st.one_of(st.just(""), any_text),
)
@code_examples
def test_a_wrong_sign_in_code_is_refused_in_korean(client, lead, code, action):
    with rolled_back():
        client.post(reverse("account_request_login_code"), {"email": lead.email})
        sent = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[-1].body).group(1)
        mail.outbox.clear()
        if as_django_reads(code).replace("-", "").strip().lower() == sent.replace("-", "").lower():
            return  # guessed the code: a correct sign-in, not hostile input
        fields = {"code": code, **({"action": action} if action else {})}
        response = post(
            client,
            reverse("account_confirm_login_code"),
            fields,
            endpoint="account_confirm_login_code",
        )
        same_site(response)
        assert "_auth_user_id" not in client.session
        if action == "resend":
            assert response.status_code == 302  # a new code is on its way; nothing to refuse
            return
        assert_korean_error(response, typed=[code, action])


# allauth's stock account pages stay reachable by address (no link leads there): garbage
# posted to any of them must not crash, and any error they list must be in Korean.
STOCK_ACCOUNT_PAGES = [
    "account_signup",
    "account_reset_password",
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
    "account_inactive",
    "socialaccount_signup",
    "socialaccount_connections",
    "account_reset_password_done",
    "account_email_verification_sent",
    "account_reset_password_from_key_done",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
]
ACCOUNT_FIELDS = [
    "email",
    "password",
    "password1",
    "password2",
    "oldpassword",
    "code",
    "next",
    "action_add",
    "action_remove",
    "action_primary",
    "account",
]


def stock_page_examples(test):
    # Every catalogue text reaches every field, spread over a few bodies.
    values = [*HOSTILE_TEXT.values(), "//evil.example.com/"]
    for shift in range(0, len(values), len(ACCOUNT_FIELDS)):
        rotated = values[shift:] + values[:shift]
        fields = list(zip(ACCOUNT_FIELDS, rotated, strict=False))
        test = example(fields=fields, signed_in=True)(test)
    return example(fields=[], signed_in=False)(test)


@pytest.mark.parametrize("name", STOCK_ACCOUNT_PAGES)
@examples(3)
@given(
    fields=st.lists(st.tuples(st.sampled_from(ACCOUNT_FIELDS) | any_text, raw_value), max_size=6),
    signed_in=st.booleans(),
)
@stock_page_examples
def test_stock_account_pages_never_crash_on_garbage(client_as, lead, name, fields, signed_in):
    with rolled_back():
        client = client_as(lead if signed_in else None)
        response = post(client, reverse(name), fields, endpoint=name)
        same_site(response)
        assert_errors_are_korean(response, typed=[v for _, v in fields])


# --- The profile --------------------------------------------------------------------------------


@examples(15)
@given(value=text_input)
@hostile_text_examples()
def test_a_profile_name_is_stored_and_shown_as_typed_or_refused_in_korean(client_as, member, value):
    client = client_as(member)
    expected = kept_text(value, max_length=NAME_LIMIT)
    with rolled_back():
        response = post(client, reverse("profile"), {"name": value}, endpoint="profile")
        stored = User.objects.get(pk=member.pk).name
        if not outcome(expected is not None):
            assert_korean_error(response, typed=[value])
            assert stored == member.name
            return
        assert stored == expected
        assert_shown(body_of(client.get(reverse("profile"))), expected)


# --- Bugs found, now fixed: minimal reproductions kept as regression tests ---------------------


def test_an_address_longer_than_an_account_can_hold_is_refused_in_korean(db, client):
    client.raise_request_exception = False
    email = "a" * 250 + "@example.com"
    response = client.post(reverse("account_request_login_code"), {"email": email})
    assert response.status_code == 200
    assert_korean_error(response)
    assert not User.objects.filter(email=email).exists()
