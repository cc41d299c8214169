"""The resident portal's repairs: report one with photos, see my orders only, agree to a
price, confirm the repair works. Bad input is refused with a message and changes nothing."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import LIN_PHONE, staff_at
from tests.factories import (
    PriceItemFactory,
    ResidentFactory,
    portal_user_for,
    repair_completed,
    repair_received,
)
from tests.tickets.test_uploads import HTML, image_bytes
from tickets.models import RepairEvent, RepairOrder, RepairPhoto
from tickets.repairs import services as repairs
from tickets.repairs.services import LineInput

State = RepairOrder.State
STORED_PHOTO = re.compile(r"^repairs/\d{4}/\d{2}/[A-Za-z0-9_-]{22}\.jpg$")

pytestmark = pytest.mark.usefixtures("media")


def stored_files(root):
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def lin_fields():
    """A landline besides his mobile."""
    return {"phones": [LIN_PHONE, "02188886666"]}


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def neighbour(sunshine):
    """Another resident of the same property, in another unit."""
    resident = ResidentFactory(property=sunshine, name="邻居", phones=["13900001111"])
    portal_user_for(resident, "neighbour")
    return resident


def photo(name="photo.jpg", data=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data or image_bytes(), content_type=content_type)


def submit(client, resident, photos=(), **fields):
    data = {
        "unit": resident.units.first().pk,
        "category": "water",
        "description": "厨房水龙头漏水",
        "location": "厨房水槽下",
        "preferred_times": "工作日晚上六点后",
        "photos": list(photos),
        **fields,
    }
    return client.post(reverse("portal_repair_new"), data)


def test_resident_reports_a_repair_online_with_two_photos(lin_client, lin, media):
    response = submit(
        lin_client,
        lin,
        [photo("IMG_0001.jpg"), photo("screenshot.png", image_bytes("PNG", size=(64, 48)))],
    )

    order = RepairOrder.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal_repair", args=[order.pk])
    assert order.channel == RepairOrder.Channel.ONLINE
    assert (order.resident, order.unit, order.property) == (lin, lin.units.first(), lin.property)
    assert order.contact_phone == "13812345678"  # my first phone
    assert (order.location, order.preferred_times) == ("厨房水槽下", "工作日晚上六点后")
    assert order.state == State.RECEIVED and order.created_by == lin.user
    assert list(order.events.values_list("kind", flat=True)) == [RepairEvent.Kind.RECEIVED]
    photos = list(order.photos.all())
    assert [(p.width, p.height) for p in photos] == [(40, 30), (64, 48)]
    assert all(p.uploaded_at is not None for p in photos)
    for p in photos:
        assert STORED_PHOTO.match(p.image.name), p.image.name
        stored = media / p.image.name
        assert stored.is_file() and stored.read_bytes().startswith(b"\xff\xd8")
    assert sorted(stored_files(media)) == sorted(media / p.image.name for p in photos)
    assert not any("IMG_0001" in p.image.name or "screenshot" in p.image.name for p in photos)


def test_the_new_repair_form_offers_my_homes_and_a_multiple_photo_input(lin_client, lin):
    response = lin_client.get(reverse("portal_repair_new"))

    body = response.content.decode()
    assert response.status_code == 200
    assert lin.units.first().label in body
    assert 'type="file"' in body and "multiple" in body and 'accept="image/*"' in body


def test_a_repair_without_photos_is_fine(lin_client, lin):
    response = submit(lin_client, lin)

    assert response.status_code == 302
    assert RepairOrder.objects.get().photos.count() == 0


def test_seven_photos_are_refused_and_nothing_is_saved(lin_client, lin, media):
    response = submit(lin_client, lin, [photo(f"p{i}.jpg") for i in range(7)])

    assert response.status_code == 400
    assert "Attach at most 6 photos; you chose 7." in response.content.decode()
    assert not RepairOrder.objects.exists() and not RepairPhoto.objects.exists()
    assert stored_files(media) == []


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_saved(lin_client, lin, media):
    response = submit(lin_client, lin, [photo(), photo("notes.jpg", b"my shopping list\n" * 50)])

    body = response.content.decode()
    assert response.status_code == 400
    assert "notes.jpg: Only photos (JPEG, PNG or WebP) can be uploaded." in body
    assert not RepairOrder.objects.exists()
    assert stored_files(media) == []


def test_an_html_page_with_an_image_name_is_refused(lin_client, lin):
    response = submit(lin_client, lin, [photo("cat.jpg", HTML)])

    assert response.status_code == 400
    assert not RepairOrder.objects.exists()


def test_an_eleven_megabyte_file_is_refused_and_nothing_is_saved(lin_client, lin, media):
    huge = image_bytes() + b"\0" * (11 * 1024 * 1024)

    response = submit(lin_client, lin, [photo("huge.jpg", huge)])

    assert response.status_code == 400
    assert "huge.jpg: A photo may be at most 10 MB." in response.content.decode()
    assert not RepairOrder.objects.exists()
    assert stored_files(media) == []


def test_an_empty_description_is_refused(lin_client, lin):
    response = submit(lin_client, lin, [photo()], description="   ")

    assert response.status_code == 400
    assert not RepairOrder.objects.exists()


def test_a_unit_that_is_not_mine_cannot_be_chosen(lin_client, lin, neighbour):
    response = submit(lin_client, lin, unit=neighbour.units.first().pk)

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not RepairOrder.objects.exists()


def test_photos_are_removed_again_when_the_order_cannot_be_saved(
    lin_client, lin, media, monkeypatch
):
    from django.core.exceptions import ValidationError

    from tickets import models

    real_create = models.RepairPhoto.objects.create
    calls = []

    def second_fails(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ValidationError("disk full")
        return real_create(**kwargs)

    monkeypatch.setattr(models.RepairPhoto.objects, "create", second_fails)

    response = submit(lin_client, lin, [photo("a.jpg"), photo("b.jpg")])

    assert response.status_code == 400
    assert not RepairOrder.objects.exists() and not RepairPhoto.objects.exists()
    assert stored_files(media) == []


def test_my_repairs_lists_my_orders_newest_first_and_not_my_neighbours(
    lin_client, lin, neighbour, clerk
):
    older = repair_received(lin.property, by=clerk, resident=lin, description="门锁坏了")
    newer = repair_received(lin.property, by=clerk, resident=lin, description="灯不亮")
    theirs = repair_received(lin.property, by=clerk, resident=neighbour, description="邻居的事")

    response = lin_client.get(reverse("portal_repairs"))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(newer.number) < body.index(older.number)
    assert theirs.number not in body and "邻居的事" not in body


def test_my_repairs_page_runs_the_same_number_of_queries_for_more_orders(lin_client, lin, clerk):
    repair_received(lin.property, by=clerk, resident=lin)
    with CaptureQueriesContext(connection) as one:
        lin_client.get(reverse("portal_repairs"))
    for _ in range(4):
        repair_received(lin.property, by=clerk, resident=lin)
    with CaptureQueriesContext(connection) as five:
        response = lin_client.get(reverse("portal_repairs"))

    assert response.content.decode().count("/portal/repairs/") >= 5
    assert len(five) == len(one)


def test_my_order_shows_its_state_timeline_and_photos(lin_client, lin):
    submit(lin_client, lin, [photo()])
    order = RepairOrder.objects.get()

    response = lin_client.get(reverse("portal_repair", args=[order.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert order.number in body and "Received" in body and "Request received" in body
    assert reverse("repair_photo", args=[order.pk, order.photos.get().pk]) in body


def test_another_residents_order_is_not_found(lin_client, neighbour, clerk):
    theirs = repair_received(neighbour.property, by=clerk, resident=neighbour)

    assert lin_client.get(reverse("portal_repair", args=[theirs.pk])).status_code == 404
    assert lin_client.post(reverse("portal_repair_agree", args=[theirs.pk])).status_code == 404
    response = lin_client.post(
        reverse("portal_repair_confirm", args=[theirs.pk]), {"signed_name": "林晓峰"}
    )
    assert response.status_code == 404


def test_staff_get_404_on_the_portal_repair_pages(clerk_client, lin, clerk):
    order = repair_received(lin.property, by=clerk, resident=lin)

    assert clerk_client.get(reverse("portal_repairs")).status_code == 404
    assert clerk_client.get(reverse("portal_repair_new")).status_code == 404
    assert clerk_client.get(reverse("portal_repair", args=[order.pk])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("portal_repairs"))

    assert response.status_code == 302 and reverse("login") in response.url


@pytest.fixture
def quoted(lin, clerk):
    tap = PriceItemFactory(property=lin.property, name="更换水龙头", price=Decimal("35.00"))
    order = repair_received(lin.property, by=clerk, resident=lin, chargeable=True)
    return repairs.repair_quote(order=order, by=clerk, lines=[LineInput(tap, Decimal("2"))])


def test_the_quote_shows_its_lines_total_and_an_agree_button(lin_client, quoted):
    response = lin_client.get(reverse("portal_repair", args=[quoted.pk]))

    body = response.content.decode()
    assert "更换水龙头" in body and "70.00" in body
    assert "I agree to this price" in body


def test_resident_agrees_to_the_price_in_the_portal(lin_client, lin, quoted):
    response = lin_client.post(reverse("portal_repair_agree", args=[quoted.pk]))

    quoted.refresh_from_db()
    assert response.status_code == 302
    assert quoted.state == State.RECEIVED
    assert (quoted.agreed_via, quoted.agreed_total) == ("portal", Decimal("70.00"))
    event = quoted.events.last()
    assert (event.kind, event.by, event.note) == (
        RepairEvent.Kind.AGREED,
        lin.user,
        "In the portal",
    )


def test_agreeing_twice_is_refused_with_a_message_and_changes_nothing(lin_client, quoted):
    lin_client.post(reverse("portal_repair_agree", args=[quoted.pk]))
    quoted.refresh_from_db()
    agreed_at = quoted.agreed_at

    response = lin_client.post(reverse("portal_repair_agree", args=[quoted.pk]))

    quoted.refresh_from_db()
    assert response.status_code == 400
    assert "there is no quote to agree to" in response.content.decode()
    assert quoted.agreed_at == agreed_at
    assert quoted.events.filter(kind=RepairEvent.Kind.AGREED).count() == 1


def test_agreeing_needs_a_post(lin_client, quoted):
    assert lin_client.get(reverse("portal_repair_agree", args=[quoted.pk])).status_code == 405


@pytest.fixture
def completed(lin, clerk, engineer, engineering):
    return repair_completed(
        lin.property, clerk=clerk, engineer=engineer, department=engineering, resident=lin
    )


def test_a_completed_repair_asks_the_resident_to_confirm(lin_client, completed):
    body = lin_client.get(reverse("portal_repair", args=[completed.pk])).content.decode()

    assert "The repair works — confirm" in body
    assert "阀芯老化" in body and "更换阀芯" in body


def test_resident_confirms_the_repair_works_in_the_portal(lin_client, lin, completed):
    response = lin_client.post(
        reverse("portal_repair_confirm", args=[completed.pk]), {"signed_name": " 林晓峰 "}
    )

    completed.refresh_from_db()
    assert response.status_code == 302
    assert completed.signed_via == RepairOrder.SignOff.PORTAL
    assert completed.signed_name == "林晓峰" and completed.signed_at is not None
    assert not completed.signature
    event = completed.events.last()
    assert (event.kind, event.by) == (RepairEvent.Kind.SIGNED_OFF, lin.user)
    body = lin_client.get(reverse("portal_repair", args=[completed.pk])).content.decode()
    assert "Confirmed by 林晓峰" in body and "The repair works — confirm" not in body


def test_confirming_without_a_name_is_refused_and_changes_nothing(lin_client, completed):
    response = lin_client.post(
        reverse("portal_repair_confirm", args=[completed.pk]), {"signed_name": "  "}
    )

    completed.refresh_from_db()
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert completed.signed_at is None
    assert not completed.events.filter(kind=RepairEvent.Kind.SIGNED_OFF).exists()


def test_an_order_that_is_not_completed_cannot_be_confirmed(lin_client, quoted):
    response = lin_client.post(
        reverse("portal_repair_confirm", args=[quoted.pk]), {"signed_name": "林晓峰"}
    )

    quoted.refresh_from_db()
    assert response.status_code == 400
    assert "it cannot be signed off now" in response.content.decode()
    assert quoted.signed_at is None


def test_the_portal_home_and_menu_link_to_my_repairs(lin_client):
    body = lin_client.get(reverse("portal")).content.decode()

    assert body.count(reverse("portal_repairs")) >= 2


def test_an_engineer_is_staff_and_gets_404_too(client, sunshine):
    client.force_login(staff_at(sunshine, "engineer"))

    assert client.get(reverse("portal_repairs")).status_code == 404
