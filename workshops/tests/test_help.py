from django.urls import reverse


def test_help_is_public_and_korean(client, db):
    body = client.get(reverse("workshops:help")).content.decode()
    assert "AI가 판단할 수 있게 업무를 적는 법" in body
    assert "월 절감 시간" in body


def test_every_page_links_to_help(client_as, lead, team):
    for url in ["/", team.get_absolute_url(), reverse("profile")]:
        assert reverse("workshops:help") in client_as(lead).get(url).content.decode()
