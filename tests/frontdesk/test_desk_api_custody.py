"""The desk's API for what it keeps: parcels, keys in custody and their movements, lost items."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageDraw

from frontdesk.desk import registers_services
from frontdesk.desk.models import KeyDeposit, LostItem, Parcel
from frontdesk.models import Notification
from tests.clock import frozen_at
from tests.frontdesk.conftest import API_NOW, detail, make_key, make_parcel, post, refused

frozen = frozen_at(API_NOW)


# --- parcels ---------------------------------------------------------------------------------------


def signature_png(ink=True) -> SimpleUploadedFile:
    image = Image.new("RGB", (120, 40), "white")
    if ink:
        ImageDraw.Draw(image).line((5, 30, 110, 8), fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("sig.png", out.getvalue(), content_type="image/png")


def test_a_parcel_is_registered_without_showing_its_code_and_handed_over_once(api, here):
    created = post(
        api,
        reverse("parcel-list"),
        {"unit": here.unit.pk, "carrier": "顺丰", "shelf": "A-3", "tracking_number": "SF1"},
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["unit_label"], body["shelf"]) == ("waiting", "2-1503", "A-3")
    assert "pickup_code" not in body
    parcel = Parcel.objects.get(pk=body["id"])
    assert Notification.objects.filter(
        recipient_resident=here.resident, subject__contains=parcel.pickup_code
    ).exists()

    wrong = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {
            "collected_by_name": "林晓峰",
            "code": "999999" if parcel.pickup_code != "999999" else "1",
        },
    )
    handed = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林晓峰", "code": parcel.pickup_code},
    )
    twice = post(
        api,
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林太太", "code": parcel.pickup_code},
    )

    refused(wrong, "The pickup code does not match.")
    assert handed.status_code == 200
    assert (handed.json()["state"], handed.json()["collected_with"]) == ("collected", "code")
    refused(twice, "This parcel was already handed over, on 2026-11-24 10:00, to 林晓峰.")
    parcel.refresh_from_db()
    assert parcel.collected_by_name == "林晓峰"
    assert api.get(reverse("parcel-list"), {"state": "waiting"}).json()["results"] == []


def test_a_parcel_is_handed_over_against_a_signature_file(api, here):
    parcel = make_parcel(here)

    handed = api.post(
        detail("parcel", parcel, "hand-over"),
        {"collected_by_name": "林太太", "signature": signature_png()},
    )

    assert handed.status_code == 200, handed.json()
    assert handed.json()["collected_with"] == "signature"
    parcel.refresh_from_db()
    assert parcel.signature.name.startswith("signatures/parcels/")
    assert parcel.signature.name.endswith(".png")  # re-encoded, under a new name
    with Image.open(parcel.signature) as stored:
        assert stored.format == "PNG"


def test_a_signature_that_is_not_an_image_is_refused(api, here):
    parcel = make_parcel(here)
    fake = SimpleUploadedFile("sig.png", b"<html><script>x</script></html>", "image/png")

    response = api.post(
        detail("parcel", parcel, "hand-over"), {"collected_by_name": "林太太", "signature": fake}
    )

    assert response.status_code == 400
    assert "signature" in response.json()
    parcel.refresh_from_db()
    assert parcel.collected_at is None


def test_a_hand_over_needs_the_code_or_a_signature(api, here):
    parcel = make_parcel(here)

    response = post(api, detail("parcel", parcel, "hand-over"), {"collected_by_name": "林太太"})

    refused(response, "Ask for the pickup code or a signature.")


# --- keys ------------------------------------------------------------------------------------------


def test_a_key_goes_out_and_comes_back_with_its_movements(api, here):
    created = post(
        api,
        reverse("key-list"),
        {
            "unit": here.unit.pk,
            "label": "K-017",
            "description": "大门钥匙两把",
            "deposited_by": "林晓峰",
            "authorised": "林太太; 好家装修 张师傅",
        },
    )
    assert created.status_code == 201, created.json()
    key = KeyDeposit.objects.get(pk=created.json()["id"])
    assert (created.json()["state"], created.json()["movements"]) == ("in", [])

    not_out = post(api, detail("key", key, "return"), {"person": "张师傅", "signed_name": "张"})
    out = api.post(
        detail("key", key, "hand-out"),
        {"person": "张师傅", "signed_name": "张", "signature": signature_png()},
    )
    out_again = post(api, detail("key", key, "hand-out"), {"person": "李", "signed_name": "李"})
    back = post(api, detail("key", key, "return"), {"person": "张师傅", "signed_name": "张"})

    refused(not_out, "Key K-017 is not out: it cannot be returned.")
    assert out.status_code == 200, out.json()
    assert out.json()["state"] == "out" and out.json()["is_out"] is True
    refused(out_again, "Key K-017 is already out.")
    assert back.json()["state"] == "in"
    assert [(m["kind"], m["person"], m["signed"], m["by"]) for m in back.json()["movements"]] == [
        ("out", "张师傅", True, here.clerk.pk),
        ("in", "张师傅", False, here.clerk.pk),
    ]
    key.refresh_from_db()
    assert not key.is_out


def test_a_key_tag_in_use_is_refused_and_keys_filter_by_state(api, here):
    kept = make_key(here)
    lent = make_key(here)
    registers_services.key_hand_out(key=lent, by=here.clerk, person="张", signed_name="张")

    duplicate = post(
        api,
        reverse("key-list"),
        {
            "unit": here.unit.pk,
            "label": kept.label,
            "description": "x",
            "deposited_by": "x",
            "authorised": "x",
        },
    )

    refused(duplicate, f"Tag {kept.label} is already on another key.")
    out = api.get(reverse("key-list"), {"state": "out"}).json()["results"]
    held = api.get(reverse("key-list"), {"state": "in"}).json()["results"]
    assert [k["id"] for k in out] == [lent.pk]
    assert [k["id"] for k in held] == [kept.pk]


# --- lost and found --------------------------------------------------------------------------------


def test_a_lost_item_is_registered_and_claimed_once(api, here):
    created = post(
        api,
        reverse("lost-item-list"),
        {
            "property": here.prop.pk,
            "description": "黑色雨伞",
            "found_where": "2号楼大堂",
            "found_by": "保安小刘",
            "stored_where": "前台柜 3",
        },
    )
    assert created.status_code == 201, created.json()
    item = LostItem.objects.get(pk=created.json()["id"])

    claimed = post(
        api, detail("lost-item", item, "claim"), {"claimed_by": "吴敏", "claimant_id_last4": "1234"}
    )
    again = post(api, detail("lost-item", item, "claim"), {"claimed_by": "别人"})

    assert claimed.json()["state"] == "claimed" and claimed.json()["claimed_by"] == "吴敏"
    refused(again, "This item has already been claimed.")
    item.refresh_from_db()
    assert (item.claimed_by, item.handed_by) == ("吴敏", here.clerk)
    assert api.get(reverse("lost-item-list"), {"state": "unclaimed"}).json()["results"] == []
