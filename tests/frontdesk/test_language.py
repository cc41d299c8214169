"""Chinese by default, English on request; the compiled translation ships with the code."""

from django.urls import reverse


def test_pages_are_in_chinese_by_default(clerk_client):
    page = clerk_client.get(reverse("lookup")).content.decode()

    assert "住户查询" in page
    assert 'lang="zh-hans"' in page


def test_the_switch_turns_the_interface_to_english_and_back(clerk_client):
    clerk_client.post(reverse("set_language"), {"language": "en", "next": "/lookup/"})
    english = clerk_client.get(reverse("lookup")).content.decode()
    clerk_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/lookup/"})
    chinese = clerk_client.get(reverse("lookup")).content.decode()

    assert "Resident lookup" in english
    assert "住户查询" not in english
    assert "住户查询" in chinese


def test_sign_in_page_speaks_chinese_to_a_resident(client, db):
    page = client.get(reverse("login")).content.decode()

    assert "登录" in page
    assert "激活码" in page
