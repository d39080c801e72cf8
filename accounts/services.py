import secrets
import time

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import GUEST_EMAIL_DOMAIN, User


def user_get_or_create_by_email(*, email: str) -> User:
    """The account for `email`, created without a password on first sign-in."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email)
    except IntegrityError:
        # Two sign-in requests for a new address raced; the other one created it.
        return User.objects.get(email__iexact=email)


def user_set_name(*, user: User, name: str) -> User:
    user.name = name.strip()
    user.save(update_fields=["name"])
    return user


def guest_create(*, name: str, pending_email: str = "") -> User:
    """A quick-join participant: no confirmed e-mail, bound to the browser that joined. Its
    address is unique under the reserved `.invalid` domain (no mail goes there, nobody signs in
    with it); a work e-mail typed at joining waits in `pending_email` until a link mailed to it
    is opened."""
    pending = User.objects.normalize_email(pending_email.strip()).lower() if pending_email else ""
    return User.objects.create_user(
        email=f"{secrets.token_hex(12)}@{GUEST_EMAIL_DOMAIN}",
        name=name.strip(),
        pending_email=pending,
    )


# --- Personal links: re-entry on another device, confirming an e-mail ---------------------------

REENTRY_SALT = "accounts.reentry"
EMAIL_CONFIRM_SALT = "accounts.email-confirm"
REENTRY_MAX_AGE = 15 * 60  # seconds: a link shown on one screen and scanned by the next
PERSONAL_LINK_MAX_AGE = 14 * 24 * 60 * 60  # a course's pre-registration mail, sent days before
EMAIL_CONFIRM_MAX_AGE = 14 * 24 * 60 * 60


class LinkRefused(Exception):
    """A personal link that cannot be used: expired, used, or for an address taken meanwhile.
    `message` is what the person reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def reentry_token(*, user: User, next_path: str = "/", max_age: int = REENTRY_MAX_AGE) -> str:
    """A link that opens `user`'s seat on another device, at `next_path`: single use (a new
    nonce per link, rotated when used), expiring after `max_age` seconds (at most
    PERSONAL_LINK_MAX_AGE). Making a new one voids the last."""
    user.reentry_nonce = secrets.token_hex(16)
    user.save(update_fields=["reentry_nonce"])
    expires = int(time.time()) + min(max_age, PERSONAL_LINK_MAX_AGE)
    payload = {"u": user.pk, "n": user.reentry_nonce, "p": next_path, "x": expires}
    return signing.dumps(payload, salt=REENTRY_SALT)


def reentry_revoke(*, user: User) -> None:
    """Void every personal or re-entry link `user` has (an operator's 'revoke')."""
    user.reentry_nonce = ""
    user.save(update_fields=["reentry_nonce"])
    audit.record("personal_link_revoked", target=user)


def _reentry_data(token: str) -> dict:
    expired = LinkRefused(_("링크가 만료되었습니다. 원래 기기에서 새 링크를 만들어 주세요."))
    try:
        data = signing.loads(token, salt=REENTRY_SALT, max_age=PERSONAL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise expired from None
    except signing.BadSignature:
        raise LinkRefused(_("올바르지 않은 링크입니다. 주소를 다시 확인해 주세요.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("x"), int):
        raise LinkRefused(_("올바르지 않은 링크입니다. 주소를 다시 확인해 주세요."))
    if time.time() > data["x"]:
        raise expired
    return data


def _reentry_user(data: dict, *, lock: bool) -> User:
    users = User.objects.select_for_update() if lock else User.objects
    pk = data.get("u")
    user = users.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if user is None or not user.reentry_nonce or user.reentry_nonce != data.get("n"):
        raise LinkRefused(
            _(
                "이미 쓴 링크이거나 더 새 링크가 만들어졌습니다. "
                "원래 기기에서 새 링크를 만들어 주세요."
            )
        )
    return user


def reentry_peek(*, token: str) -> tuple[User, str]:
    """Whose seat a re-entry link opens and where, without spending it (the page asks before
    signing in: a link preview must not use up a link). Raises LinkRefused."""
    data = _reentry_data(token)
    return _reentry_user(data, lock=False), str(data.get("p") or "/")


@transaction.atomic
def reentry_use(*, token: str) -> tuple[User, str]:
    """The user a re-entry link signs in, and where to; the link is spent. Raises
    LinkRefused."""
    data = _reentry_data(token)
    user = _reentry_user(data, lock=True)
    user.reentry_nonce = secrets.token_hex(16)
    user.save(update_fields=["reentry_nonce"])
    audit.record("reentry_used", actor=user, target=user)
    return user, str(data.get("p") or "/")


def email_confirmation_token(*, user: User, email: str) -> str:
    email = User.objects.normalize_email(email.strip()).lower()
    return signing.dumps({"u": user.pk, "e": email}, salt=EMAIL_CONFIRM_SALT)


@transaction.atomic
def email_confirm(*, token: str) -> User:
    """Make the address a link was mailed to the user's sign-in e-mail. Raises LinkRefused
    when the link is bad or old, or another account signs in with that address already."""
    try:
        data = signing.loads(token, salt=EMAIL_CONFIRM_SALT, max_age=EMAIL_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkRefused(_("확인 링크가 만료되었습니다. 다시 보내 주세요.")) from None
    except signing.BadSignature:
        raise LinkRefused(_("올바르지 않은 링크입니다. 주소를 다시 확인해 주세요.")) from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    email = str(data.get("e", ""))
    if user is None or not email:
        raise LinkRefused(_("올바르지 않은 링크입니다. 주소를 다시 확인해 주세요."))
    if user.email == email:
        return user  # opened twice: already confirmed
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise LinkRefused(
            _(
                "이 이메일로 이미 다른 계정이 있습니다. 그 계정으로 로그인하거나 다른 "
                "이메일을 쓰세요."
            )
        )
    was = user.email
    user.email, user.pending_email = email, ""
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "pending_email"])
    except IntegrityError:
        raise LinkRefused(_("이 이메일로 방금 다른 계정이 만들어졌습니다.")) from None
    audit.record("email_confirmed", actor=user, target=user, detail={"was_guest": was != email})
    return user
