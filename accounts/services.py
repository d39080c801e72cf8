from django.db import IntegrityError, transaction

from accounts.models import User


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
