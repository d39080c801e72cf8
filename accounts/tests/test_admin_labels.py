"""The admin index in Korean: every section and model named in Korean, no two sections alike,
and the instructor group called 강사."""

import re

import pytest
from django.contrib.auth.models import Group

from accounts.apps import ensure_instructor_group
from accounts.models import INSTRUCTOR_GROUP, LEGACY_INSTRUCTOR_GROUP, User

# Words that are Korean usage as they are.
ALLOWED_LATIN = {"AI", "SSO"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def operator_client(client, db):
    operator = User.objects.create_superuser(email="op@example.com", password="pw-long-enough-1")
    client.force_login(operator)
    return client


def test_the_admin_index_is_korean_and_every_section_name_is_unique(operator_client):
    html = operator_client.get("/admin/").content.decode()
    sections = [_text(m) for m in re.findall(r"<caption>(.*?)</caption>", html, re.S)]
    models = [_text(m) for m in re.findall(r'<th scope="row"[^>]*>(.*?)</th>', html, re.S)]
    assert len(sections) >= 7 and len(models) >= 15  # the page was parsed
    english = [
        label for label in sections + models if set(re.findall(r"[A-Za-z]+", label)) - ALLOWED_LATIN
    ]
    assert english == []
    assert len(sections) == len(set(sections)), sections
    for name in ("사용자 계정", "로그인 이메일", "SSO 로그인", "백그라운드 작업"):
        assert name in sections
    assert "작업 결과" in models


def test_the_instructor_group_is_listed_in_korean(operator_client):
    ensure_instructor_group(sender=None)
    html = operator_client.get("/admin/auth/group/").content.decode()
    assert ">강사<" in html
    assert LEGACY_INSTRUCTOR_GROUP not in html


def test_migrate_renames_the_english_group_and_keeps_its_members(db):
    Group.objects.filter(name=INSTRUCTOR_GROUP).delete()
    legacy = Group.objects.create(name=LEGACY_INSTRUCTOR_GROUP)
    teacher = User.objects.create_user(email="teacher@example.com", name="강사")
    teacher.groups.add(legacy)

    ensure_instructor_group(sender=None)

    assert not Group.objects.filter(name=LEGACY_INSTRUCTOR_GROUP).exists()
    group = Group.objects.get(name=INSTRUCTOR_GROUP)
    assert group.pk == legacy.pk
    teacher = User.objects.get(pk=teacher.pk)  # permissions are cached per instance
    assert teacher.has_perm("workshops.add_workshop")


def test_both_groups_become_one_with_everyone_in_it(db):
    ensure_instructor_group(sender=None)
    korean = Group.objects.get(name=INSTRUCTOR_GROUP)
    legacy = Group.objects.create(name=LEGACY_INSTRUCTOR_GROUP)
    old, new = (
        User.objects.create_user(email=f"{who}@example.com", name=who) for who in ("old", "new")
    )
    old.groups.add(legacy)
    new.groups.add(korean)

    ensure_instructor_group(sender=None)

    assert list(Group.objects.filter(name__in=[INSTRUCTOR_GROUP, LEGACY_INSTRUCTOR_GROUP])) == [
        korean
    ]
    assert set(korean.user_set.all()) == {old, new}
