"""What the desk keeps: the parcels, keys and lost and found pages. Each action changes what it
says, bad input changes nothing and says why (400), another property's rows are not found
(404), and each page runs the same queries for one row or several."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontdesk.desk import registers_services
from frontdesk.desk.models import KeyDeposit, KeyMovement, LostItem, Parcel
from tests.clock import at
from tests.factories import UnitFactory
from tests.frontdesk.conftest import between, found, page_url
from tests.helpers import text
from tests.tickets.test_engineer_pages import signature_data_url

# 10:00 in Shanghai on a Tuesday.
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("media")


@pytest.fixture
def lin_fields(unit):
    return {"unit": unit}


def row(page: str, needle: str) -> str:
    """The table row that mentions `needle`."""
    return next(r for r in page.split("<tr")[1:] if needle in r)


# --- parcels ---------------------------------------------------------------------------------------


def parcel(sunshine, clerk, unit, **fields):
    defaults = {"carrier": "顺丰速运", "shelf": "A3", "tracking_number": "SF123"}
    defaults.update(fields)
    return registers_services.parcel_register(property=sunshine, by=clerk, unit=unit, **defaults)


def test_a_parcel_is_registered_and_its_code_shown_once(browser, sunshine, clerk, unit, lin):
    response = browser.post(
        page_url("desk_parcel_new", sunshine),
        {
            "unit": unit.pk,
            "carrier": "京东物流",
            "tracking_number": "JD0001",
            "recipient_name": "林晓峰",
            "shelf": "B2",
        },
    )

    registered = Parcel.objects.get()
    assert response.status_code == 302
    assert (registered.unit, registered.carrier, registered.shelf) == (unit, "京东物流", "B2")
    assert (registered.registered_by, registered.collected_at) == (clerk, None)
    shown = text(browser.get(response.url))
    again = text(browser.get(response.url))
    assert f"Pickup code: {registered.pickup_code}" in shown
    assert registered.pickup_code not in again
    assert "JD0001" in between(again, "waiting", "register")


def test_a_parcel_without_a_shelf_is_refused(browser, sunshine, unit):
    response = browser.post(
        page_url("desk_parcel_new", sunshine), {"unit": unit.pk, "carrier": "京东物流"}
    )

    assert response.status_code == 400
    assert "This field is required." in text(response)
    assert Parcel.objects.count() == 0


def test_waiting_parcels_oldest_first_with_days_and_reminder_due(browser, sunshine, clerk, unit):
    sunshine.parcel_reminder_days = 3
    sunshine.save()
    with at(NOW - timedelta(days=4)):
        old = parcel(sunshine, clerk, unit, tracking_number="OLD-1")
    with at(NOW - timedelta(days=1)):
        recent = parcel(sunshine, clerk, unit, tracking_number="NEW-1")
    with at(NOW - timedelta(days=1)):
        gone = parcel(sunshine, clerk, unit, tracking_number="GONE-1")
        registers_services.parcel_hand_over(
            parcel=gone, by=clerk, collected_by_name="林", code=gone.pickup_code
        )

    with at(NOW):
        page = text(browser.get(reverse("desk_parcels")))

    waiting = between(page, "waiting", "register")
    rows = waiting.split("<tr")
    old_row = next(r for r in rows if "OLD-1" in r)
    recent_row = next(r for r in rows if "NEW-1" in r)
    assert waiting.index("OLD-1") < waiting.index("NEW-1")
    assert "GONE-1" not in waiting
    assert "<td>4 <span" in old_row and "reminder due" in old_row
    assert "<td>1</td>" in recent_row and "reminder due" not in recent_row
    assert old.pickup_code not in page and recent.pickup_code not in page


def test_a_parcel_is_handed_over_against_its_code(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": item.pickup_code},
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.collected_by_name, item.collected_with, item.handed_over_by) == (
        "林晓峰",
        "code",
        clerk,
    )
    page = text(browser.get(response.url))
    assert "Parcel handed over to 林晓峰." in page
    assert "SF123" in between(page, "collected", "</section")
    assert "SF123" not in between(page, "waiting", "register")


def test_a_parcel_is_handed_over_against_a_signature(browser, sunshine, clerk, unit, media):
    item = parcel(sunshine, clerk, unit)
    panel = text(browser.get(f"{reverse('desk_parcels')}?hand_over={item.pk}"))

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林母", "signature": signature_data_url()},
    )

    assert 'data-signature="signature"' in panel
    assert reverse("desk_parcel_hand_over", args=[item.pk]) in panel
    item.refresh_from_db()
    assert response.status_code == 302
    assert item.collected_with == "signature" and item.signature.name.endswith(".png")
    image = browser.get(reverse("desk_parcel_signature", args=[item.pk]))
    assert image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    page = text(browser.get(response.url))
    assert reverse("desk_parcel_signature", args=[item.pk]) in page


def test_a_wrong_pickup_code_hands_nothing_over(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    wrong = "000000" if item.pickup_code != "000000" else "111111"

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": wrong},
    )

    assert response.status_code == 400
    page = text(response)
    assert "The pickup code does not match." in page
    assert 'value="林晓峰"' in page  # the panel is there to try again
    item.refresh_from_db()
    assert item.collected_at is None and item.collected_by_name == ""


def test_a_code_typed_in_full_width_digits_is_read_as_digits(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in item.pickup_code)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": full_width},
    )

    assert response.status_code == 302
    assert Parcel.objects.get().collected_with == "code"


def test_a_code_that_is_not_digits_is_refused(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "林晓峰", "code": "一二三四五六"},
    )

    assert response.status_code == 400
    assert "The pickup code is six digits." in text(response)
    assert Parcel.objects.get().collected_at is None


def test_neither_code_nor_signature_hands_nothing_over(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]), {"collected_by_name": "林晓峰"}
    )

    assert response.status_code == 400
    assert "Ask for the pickup code or a signature." in text(response)
    assert Parcel.objects.get().collected_at is None


def test_handing_a_parcel_over_twice_is_refused(browser, sunshine, clerk, unit):
    item = parcel(sunshine, clerk, unit)
    url = reverse("desk_parcel_hand_over", args=[item.pk])
    browser.post(url, {"collected_by_name": "林晓峰", "code": item.pickup_code})
    first = Parcel.objects.get()

    response = browser.post(url, {"collected_by_name": "冒领人", "code": item.pickup_code})

    assert response.status_code == 400
    assert "This parcel was already handed over" in text(response)
    assert "to 林晓峰." in text(response)
    again = Parcel.objects.get()
    assert (again.collected_at, again.collected_by_name) == (first.collected_at, "林晓峰")


def test_another_propertys_parcel_is_not_found(browser, elsewhere, far_clerk, far_unit):
    item = parcel(elsewhere, far_clerk, far_unit, tracking_number="FAR-1")

    post = browser.post(
        reverse("desk_parcel_hand_over", args=[item.pk]),
        {"collected_by_name": "冒领人", "code": item.pickup_code},
    )
    signature = browser.get(reverse("desk_parcel_signature", args=[item.pk]))
    panel = text(browser.get(f"{reverse('desk_parcels')}?hand_over={item.pk}"))

    assert (post.status_code, signature.status_code) == (404, 404)
    assert "FAR-1" not in panel
    assert Parcel.objects.get().collected_at is None


def test_the_parcel_page_runs_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk, unit
):
    def some(n):
        for _ in range(n):
            waiting = parcel(sunshine, clerk, UnitFactory(building=unit.building))
            done = parcel(sunshine, clerk, unit)
            registers_services.parcel_hand_over(
                parcel=done, by=clerk, collected_by_name="林", code=done.pickup_code
            )
        return waiting

    first = some(1)
    url = f"{reverse('desk_parcels')}?hand_over={first.pk}"
    with CaptureQueriesContext(connection) as one:
        browser.get(url)
    some(5)

    with django_assert_num_queries(len(one.captured_queries)):
        response = browser.get(url)

    assert len(response.context["waiting"]) == 6 and len(response.context["collected"]) == 6


# --- keys ------------------------------------------------------------------------------------------


def deposit(sunshine, clerk, unit, label="K-01"):
    return registers_services.key_deposit(
        property=sunshine,
        by=clerk,
        unit=unit,
        label=label,
        description="入户门钥匙 2 把",
        deposited_by="林晓峰",
        authorised="林母 13900003333",
    )


def move(signed="林母"):
    return {"person": "林母", "signed_name": signed, "signature": signature_data_url()}


def test_a_key_is_deposited_and_shown_in(browser, sunshine, clerk, unit):
    response = browser.post(
        page_url("desk_key_new", sunshine),
        {
            "unit": unit.pk,
            "label": "K-07",
            "description": "入户门钥匙 2 把",
            "deposited_by": "林晓峰",
            "authorised": "林母 13900003333",
        },
    )

    key = KeyDeposit.objects.get()
    assert response.status_code == 302
    assert (key.label, key.unit, key.is_out) == ("K-07", unit, False)
    page = text(browser.get(response.url))
    assert "Key K-07 is in custody." in page
    shown = row(page, "K-07")
    assert ">IN<" in shown and ">OUT<" not in shown and "林母 13900003333" in shown


def test_a_tag_already_on_another_key_is_refused(browser, sunshine, clerk, unit):
    deposit(sunshine, clerk, unit, label="K-07")

    response = browser.post(
        page_url("desk_key_new", sunshine),
        {
            "unit": unit.pk,
            "label": "K-07",
            "description": "车库钥匙",
            "deposited_by": "林晓峰",
            "authorised": "林母",
        },
    )

    assert response.status_code == 400
    assert "Tag K-07 is already on another key." in text(response)
    assert KeyDeposit.objects.count() == 1


def test_a_key_is_handed_out_with_a_signature_and_shown_out(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    form = text(browser.get(reverse("desk_key", args=[key.pk])))

    response = browser.post(reverse("desk_key_hand_out", args=[key.pk]), move())

    assert (
        reverse("desk_key_hand_out", args=[key.pk]) in form and 'data-signature="signature"' in form
    )
    key.refresh_from_db()
    movement = KeyMovement.objects.get()
    assert response.status_code == 302 and response.url == reverse("desk_key", args=[key.pk])
    assert key.is_out
    assert (movement.kind, movement.person, movement.signed_name, movement.by) == (
        "out",
        "林母",
        "林母",
        clerk,
    )
    assert movement.signature.name.endswith(".png")
    detail = text(browser.get(response.url))
    assert "Key K-01 handed out." in detail
    assert reverse("desk_key_signature", args=[key.pk, movement.pk]) in detail
    assert reverse("desk_key_return", args=[key.pk]) in detail
    assert reverse("desk_key_hand_out", args=[key.pk]) not in detail
    listing = text(browser.get(reverse("desk_keys")))
    shown = row(listing, "K-01")
    assert ">OUT<" in shown and ">IN<" not in shown and "with 林母" in shown
    image = browser.get(reverse("desk_key_signature", args=[key.pk, movement.pk]))
    assert image["Content-Type"] == "image/png"


def test_a_key_comes_back(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    registers_services.key_hand_out(key=key, by=clerk, person="林母", signed_name="林母")

    response = browser.post(reverse("desk_key_return", args=[key.pk]), move())

    key.refresh_from_db()
    assert response.status_code == 302 and not key.is_out
    assert list(KeyMovement.objects.values_list("kind", flat=True)) == ["out", "in"]
    page = text(browser.get(response.url))
    assert "Key K-01 is back." in page and reverse("desk_key_hand_out", args=[key.pk]) in page


def test_handing_a_key_out_twice_is_refused(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)
    browser.post(reverse("desk_key_hand_out", args=[key.pk]), move())

    response = browser.post(reverse("desk_key_hand_out", args=[key.pk]), move("冒领人"))

    assert response.status_code == 400
    page = text(response)
    assert "Key K-01 is already out." in page
    assert ">OUT<" in page and ">IN<" not in page
    assert KeyMovement.objects.count() == 1 and KeyDeposit.objects.get().is_out


def test_returning_a_key_that_is_not_out_is_refused(browser, sunshine, clerk, unit):
    key = deposit(sunshine, clerk, unit)

    response = browser.post(reverse("desk_key_return", args=[key.pk]), move())

    assert response.status_code == 400
    assert "Key K-01 is not out: it cannot be returned." in text(response)
    assert KeyMovement.objects.count() == 0 and not KeyDeposit.objects.get().is_out


@pytest.mark.parametrize(
    ("signature", "message"),
    [("", "Draw the signature."), ("data:image/png;base64,!!", "The signature could not be read.")],
)
def test_a_key_is_not_handed_out_without_a_signature(
    browser, sunshine, clerk, unit, signature, message
):
    key = deposit(sunshine, clerk, unit)

    response = browser.post(
        reverse("desk_key_hand_out", args=[key.pk]),
        {"person": "林母", "signed_name": "林母", "signature": signature},
    )

    assert response.status_code == 400
    assert message in text(response)
    assert KeyMovement.objects.count() == 0 and not KeyDeposit.objects.get().is_out


def test_another_propertys_key_is_not_found(browser, elsewhere, far_clerk, far_unit):
    key = deposit(elsewhere, far_clerk, far_unit, label="FAR-K")
    movement = registers_services.key_hand_out(
        key=key, by=far_clerk, person="外人", signed_name="外人"
    )

    assert browser.get(reverse("desk_key", args=[key.pk])).status_code == 404
    assert browser.post(reverse("desk_key_return", args=[key.pk]), move()).status_code == 404
    assert browser.post(reverse("desk_key_hand_out", args=[key.pk]), move()).status_code == 404
    signature = browser.get(reverse("desk_key_signature", args=[key.pk, movement.pk]))
    assert signature.status_code == 404
    assert "FAR-K" not in text(browser.get(reverse("desk_keys")))
    assert KeyMovement.objects.count() == 1 and KeyDeposit.objects.get().is_out


def test_the_key_pages_run_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk, unit
):
    key = deposit(sunshine, clerk, unit)

    def turn(n):
        for i in range(n):
            registers_services.key_hand_out(
                key=key, by=clerk, person=f"人{i}", signed_name=f"人{i}"
            )
            registers_services.key_return(key=key, by=clerk, person=f"人{i}", signed_name=f"人{i}")
            registers_services.key_hand_out(
                key=deposit(sunshine, clerk, unit, label=f"T-{KeyDeposit.objects.count()}"),
                by=clerk,
                person="林母",
                signed_name="林母",
            )

    turn(1)
    with CaptureQueriesContext(connection) as list_one:
        browser.get(reverse("desk_keys"))
    with CaptureQueriesContext(connection) as detail_one:
        browser.get(reverse("desk_key", args=[key.pk]))
    turn(4)

    with django_assert_num_queries(len(list_one.captured_queries)):
        listing = browser.get(reverse("desk_keys"))
    with django_assert_num_queries(len(detail_one.captured_queries)):
        detail = browser.get(reverse("desk_key", args=[key.pk]))

    assert len(listing.context["keys"]) == 6
    assert len(detail.context["movements"]) == 10


# --- lost and found -----------------------------------------------------------------------------------


def test_a_found_item_is_registered(browser, sunshine, clerk):
    response = browser.post(
        page_url("desk_lost_new", sunshine),
        {
            "description": "蓝色钱包",
            "found_where": "地下车库",
            "found_by": "保安小李",
            "stored_where": "保险柜",
            "found_at": "2026-11-24T08:30",
        },
    )

    item = LostItem.objects.get()
    assert response.status_code == 302
    assert (item.description, item.stored_where, item.registered_by) == (
        "蓝色钱包",
        "保险柜",
        clerk,
    )
    # 08:30 typed at the desk is 08:30 in Shanghai.
    assert item.found_at == datetime(2026, 11, 24, 0, 30, tzinfo=UTC)
    page = text(browser.get(response.url))
    assert "蓝色钱包" in between(page, "unclaimed", "register")
    assert reverse("desk_lost_claim", args=[item.pk]) in page


def test_a_found_item_needs_where_it_is_kept(browser, sunshine):
    response = browser.post(
        page_url("desk_lost_new", sunshine), {"description": "蓝色钱包", "found_where": "车库"}
    )

    assert response.status_code == 400
    assert "Not saved: correct the form below." in text(response)
    assert LostItem.objects.count() == 0


def test_an_item_is_claimed(browser, sunshine, clerk):
    item = found(sunshine, clerk)

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "林晓峰", "claimant_id_last4": "567x"},
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.claimed_by, item.claimant_id_last4, item.handed_by) == ("林晓峰", "567X", clerk)
    page = text(browser.get(response.url))
    assert "黑色雨伞 handed to 林晓峰." in page
    assert "黑色雨伞" not in between(page, "unclaimed", "register")
    assert "林晓峰" in between(page, "claimed", "</section")


def test_claiming_twice_is_refused(browser, sunshine, clerk):
    item = found(sunshine, clerk)
    url = reverse("desk_lost_claim", args=[item.pk])
    browser.post(url, {"claimed_by": "林晓峰", "claimant_id_last4": "5678"})

    response = browser.post(url, {"claimed_by": "冒领人", "claimant_id_last4": "0000"})

    assert response.status_code == 400
    assert "This item has already been claimed." in text(response)
    item.refresh_from_db()
    assert (item.claimed_by, item.claimant_id_last4) == ("林晓峰", "5678")


@pytest.mark.parametrize(
    ("last4", "message"),
    [
        ("56789", "Only the last four characters of the document, letters or digits."),
        ("", "Write down the last four characters of the document the claimant shows."),
    ],
)
def test_a_claim_without_four_characters_is_refused(browser, sunshine, clerk, last4, message):
    item = found(sunshine, clerk)

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "林晓峰", "claimant_id_last4": last4},
    )

    assert response.status_code == 400
    assert message in text(response)
    assert LostItem.objects.get().claimed_at is None


def test_another_propertys_item_is_not_found(browser, elsewhere, far_clerk):
    item = found(elsewhere, far_clerk, description="外人的包")

    response = browser.post(
        reverse("desk_lost_claim", args=[item.pk]),
        {"claimed_by": "冒领人", "claimant_id_last4": "0000"},
    )

    assert response.status_code == 404
    assert "外人的包" not in text(browser.get(reverse("desk_lost")))
    assert LostItem.objects.get().claimed_at is None


def test_the_lost_page_runs_the_same_queries_for_one_or_several(
    django_assert_num_queries, browser, sunshine, clerk
):
    def some(n):
        for i in range(n):
            found(sunshine, clerk, description=f"伞{i}")
            registers_services.lost_item_claim(
                item=found(sunshine, clerk, description=f"包{i}"), by=clerk, claimed_by="林"
            )

    some(1)
    with CaptureQueriesContext(connection) as one:
        browser.get(reverse("desk_lost"))
    some(4)

    with django_assert_num_queries(len(one.captured_queries)):
        response = browser.get(reverse("desk_lost"))

    assert len(response.context["items"]) == 5 and len(response.context["claimed"]) == 5
