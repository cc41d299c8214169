"""Staff sign-in with throttling; resident portal accounts issued by the desk."""

from datetime import timedelta

import pytest
from django.urls import reverse

from frontdesk.models import Notification, PortalInvite, Resident, ResidentEvent, User
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import ResidentFactory


def sign_in(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def test_clerk_signs_in_and_lands_on_the_lookup(client, clerk):
    response = sign_in(client, "clerk", "secret-pass-123")

    assert response.status_code == 302
    assert client.get(response.url, follow=True).request["PATH_INFO"] == reverse("lookup")


def test_wrong_password_says_so(client, clerk):
    response = sign_in(client, "clerk", "nope")

    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_five_failed_sign_ins_lock_the_account_even_with_the_right_password(client, clerk):
    for _ in range(5):
        sign_in(client, "clerk", "nope")

    locked = sign_in(client, "clerk", "secret-pass-123")

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_lifts_after_the_cool_off(client, clerk):
    with at("2026-11-24 09:00 +0800") as traveller:
        for _ in range(5):
            sign_in(client, "clerk", "nope")
        traveller.shift(timedelta(minutes=16))
        response = sign_in(client, "clerk", "secret-pass-123")

    assert response.status_code == 302


@pytest.fixture
def lin_fields():
    """His mobile as the desk typed it, and an email address."""
    return {"phones": ["138 1234 5678"], "email": "lin@example.com"}


def issue(client, resident, send_by=""):
    return client.post(
        reverse("resident_invite", args=[resident.pk]),
        {"send_by": send_by},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_desk_prints_an_activation_slip_with_a_code_shown_once(clerk_client, lin):
    response = issue(clerk_client, lin)

    code = response.context["code"]
    invite = PortalInvite.objects.get()
    assert response.status_code == 200
    assert code in response.content.decode()
    assert code not in invite.code_hash
    assert invite.resident == lin
    assert lin.events.first().kind == ResidentEvent.Kind.INVITE_ISSUED
    assert not Notification.objects.exists()


@pytest.mark.parametrize(("channel", "address"), [("sms", "138 1234 5678"), ("email", "lin@")])
def test_desk_sends_the_code_through_the_outbox(clerk_client, lin, channel, address):
    response = issue(clerk_client, lin, channel)

    note = Notification.objects.get()
    assert response.status_code == 200
    assert (note.channel, note.recipient_resident) == (channel, lin)
    assert note.address.startswith(address)
    assert response.context["code"] in note.body


def test_email_code_for_a_resident_without_email_is_refused(clerk_client, sunshine):
    nomail = ResidentFactory(property=sunshine)

    response = issue(clerk_client, nomail, "email")

    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["This resident has no email address."]
    assert not PortalInvite.objects.exists()


def test_engineer_cannot_issue_codes(client, sunshine, lin):
    client.force_login(staff_at(sunshine, "engineer", username="eng"))

    assert issue(client, lin).status_code == 404
    assert not PortalInvite.objects.exists()


def activate(client, phone, code, password="Garden-2026!", again=None):
    return client.post(
        reverse("portal_activate"),
        {"phone": phone, "code": code, "password1": password, "password2": again or password},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_resident_activates_and_signs_in_with_their_phone(clerk_client, client, lin):
    code = issue(clerk_client, lin).context["code"]
    clerk_client.logout()

    response = activate(client, "13812345678", code.lower())
    client.logout()
    signed_in = sign_in(client, "13812345678", "Garden-2026!")

    assert response.status_code == 302
    lin.refresh_from_db()
    assert lin.user.username == "13812345678"
    assert PortalInvite.objects.get().used_at is not None
    assert signed_in.status_code == 302
    assert "林晓峰" in client.get(reverse("portal")).content.decode()


@pytest.mark.parametrize(
    ("phone", "code_ok", "password", "again", "message"),
    [
        ("13900000000", True, "Garden-2026!", None, "do not match"),
        ("13812345678", False, "Garden-2026!", None, "do not match"),
        ("13812345678", True, "123", None, "too short"),
        ("13812345678", True, "Garden-2026!", "Garden-2027!", "The two passwords differ."),
    ],
)
def test_bad_activation_says_why_and_changes_nothing(
    clerk_client, client, lin, phone, code_ok, password, again, message
):
    code = issue(clerk_client, lin).context["code"]
    clerk_client.logout()

    response = activate(client, phone, code if code_ok else "WRONGCODE", password, again)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="13812345678").exists()
    assert PortalInvite.objects.get().used_at is None


def test_expired_code_is_refused(clerk_client, client, lin):
    code = issue(clerk_client, lin).context["code"]
    clerk_client.logout()
    PortalInvite.objects.update(expires_at=PortalInvite.objects.get().issued_at)

    response = activate(client, "13812345678", code)

    assert response.status_code == 400
    assert Resident.objects.get(pk=lin.pk).user is None


def test_a_new_code_replaces_the_old_one(clerk_client, client, lin):
    old = issue(clerk_client, lin).context["code"]
    new = issue(clerk_client, lin).context["code"]
    clerk_client.logout()

    refused = activate(client, "13812345678", old)
    accepted = activate(client, "13812345678", new)

    assert refused.status_code == 400
    assert accepted.status_code == 302


def test_a_staff_members_phone_login_cannot_be_taken_by_a_resident(clerk_client, client, sunshine):
    staff_at(sunshine, "engineer", username="13812345678")
    lin = ResidentFactory(property=sunshine, phones=["13812345678"])
    code = issue(clerk_client, lin).context["code"]
    clerk_client.logout()

    response = activate(client, "13812345678", code)

    assert response.status_code == 400
    assert "staff account" in response.content.decode()
