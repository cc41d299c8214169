"""In-app notices reach the person's header; opening one marks it read."""

from django.urls import reverse

from frontdesk import outbox
from frontdesk.models import Notification


def notify(prop, user, subject="回访已逾期", link="/lookup/"):
    outbox.user_notify(property=prop, user=user, subject=subject, body="", link=link)
    return Notification.objects.filter(recipient_user=user, channel="in_app").latest("pk")


def test_header_counts_unread_notices_and_opening_one_marks_it_read(clerk_client, clerk, sunshine):
    first = notify(sunshine, clerk)
    notify(sunshine, clerk, subject="第二条")

    before = clerk_client.get(reverse("notices"))
    opened = clerk_client.post(reverse("notice_open", args=[first.pk]))
    after = clerk_client.get(reverse("notices"))

    assert before.context["unread_notices"] == 2
    assert "回访已逾期" in before.content.decode()
    assert opened.status_code == 302 and opened.url == "/lookup/"
    assert after.context["unread_notices"] == 1
    first.refresh_from_db()
    assert first.read_at is not None


def test_someone_elses_notice_is_not_found(clerk_client, sunshine, supervisor):
    theirs = notify(sunshine, supervisor)

    response = clerk_client.post(reverse("notice_open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_link_to_another_site_is_not_followed(clerk_client, clerk, sunshine):
    notice = notify(sunshine, clerk, link="https://evil.example.com/")

    response = clerk_client.post(reverse("notice_open", args=[notice.pk]))

    assert response.url == reverse("notices")
