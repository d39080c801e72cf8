"""Company SSO (OpenID Connect) end to end against a fake provider on loopback."""

import urllib.parse
import urllib.request

import pytest

from accounts.models import User
from support.fake_oidc import FakeOIDC


@pytest.fixture
def idp(settings):
    provider = FakeOIDC().start()
    settings.OIDC_ISSUER = provider.issuer
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "company",
                    "name": "회사 계정으로 로그인",
                    "client_id": provider.client_id,
                    "secret": provider.client_secret,
                    "settings": {"server_url": provider.issuer},
                }
            ],
        }
    }
    yield provider
    provider.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_through(client, idp, next_url="/"):
    """What a browser does: post to our login, follow to the provider, come back."""
    start = client.post(f"/accounts/oidc/company/login/?next={next_url}")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{idp.issuer}/authorize")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(authorize)
    except urllib.error.HTTPError as redirect:  # the provider's 302 back to us
        back = redirect.headers["Location"]
    path = urllib.parse.urlparse(back)
    return client.get(f"{path.path}?{path.query}")


def test_the_login_page_offers_the_company_button(client, idp, db):
    assert "회사 계정으로 로그인" in client.get("/accounts/login/code/").content.decode()


def test_without_sso_the_login_page_offers_codes_only(client, settings):
    settings.OIDC_ISSUER = ""
    body = client.get("/accounts/login/code/").content.decode()  # no database needed
    assert "로그인 코드 받기" in body
    assert "/accounts/oidc/" not in body


def test_no_button_without_sso_configured(client, db):
    assert "회사 계정으로 로그인" not in client.get("/accounts/login/code/").content.decode()


def test_sso_signs_in_the_account_that_has_that_email(client, idp, lead):
    response = sign_in_through(client, idp)
    assert response.status_code == 302
    assert client.get("/").context["user"] == lead
    assert User.objects.filter(email__iexact="lead@example.com").count() == 1
    assert idp.token_requests[0]["code_verifier"]  # PKCE


def test_sso_creates_an_account_for_someone_new(client, idp, db):
    idp.person = {"sub": "u-9", "email": "new.person@corp.example", "name": "신입"}
    sign_in_through(client, idp)
    user = client.get("/").context["user"]
    assert user.email == "new.person@corp.example"


def test_sso_comes_back_to_the_join_page(client, idp, workshop):
    idp.person = {"sub": "u-7", "email": "joiner@corp.example", "name": "참가자"}
    response = sign_in_through(client, idp, next_url=f"/join/{workshop.join_code}/")
    assert response["Location"] == f"/join/{workshop.join_code}/"


def test_a_forged_callback_does_not_sign_anyone_in(client, idp, lead):
    client.post("/accounts/oidc/company/login/")
    response = client.get("/accounts/oidc/company/login/callback/?code=made-up&state=wrong")
    assert response.status_code == 401
    assert "회사 계정으로 로그인하지 못했습니다" in response.content.decode()
    assert not client.get("/").context["user"].is_authenticated
