"""The desk's API for the shift handover and the supervisor's signed daily ledger."""

from django.urls import reverse

from frontdesk.desk.models import DailyLedger, ShiftHandover
from tests.clock import frozen_at
from tests.frontdesk.conftest import API_NOW, detail, make_parcel, make_visitor, post, refused

frozen = frozen_at(API_NOW)


# --- the shift and the day -------------------------------------------------------------------------


def test_a_shift_hands_over_with_the_days_figures_and_the_next_shift_takes_over(
    api, client, here, assistant
):
    make_parcel(here)
    make_visitor(here)
    created = post(
        api,
        reverse("handover-list"),
        {"property": here.prop.pk, "day": "2026-11-24", "shift": "day", "pending": "K-017 未还"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["shift"], body["pending"]) == ("pending", "day", "K-017 未还")
    assert body["done"]["parcels_registered"] == 1
    assert body["done"]["visitors_arrived"] == 1
    handover = ShiftHandover.objects.get(pk=body["id"])

    twice = post(
        api,
        reverse("handover-list"),
        {"property": here.prop.pk, "day": "2026-11-24", "shift": "day"},
    )
    by_self = post(api, detail("handover", handover, "take-over"))
    client.force_login(assistant)
    taken = post(client, detail("handover", handover, "take-over"))
    again = post(client, detail("handover", handover, "take-over"), HTTP_ACCEPT_LANGUAGE="en")

    refused(twice, "This shift has already handed over.")
    refused(by_self, "The next shift takes over, not the one handing over.")
    assert taken.json()["state"] == "taken" and taken.json()["taken_over_by"] == assistant.pk
    refused(again, "This handover has already been taken over.")
    assert [
        h["id"]
        for h in client.get(reverse("handover-list"), {"day": "2026-11-24"}).json()["results"]
    ] == [handover.pk]


def test_the_supervisor_signs_the_days_ledger_once(api, client, here, supervisor):
    make_parcel(here)

    by_clerk = post(api, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-24"})
    client.force_login(supervisor)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    signed = post(
        client,
        reverse("ledger-sign"),
        {"property": here.prop.pk, "day": "2026-11-24", "note": "正常"},
    )
    twice = post(client, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-24"})
    tomorrow = post(client, reverse("ledger-sign"), {"property": here.prop.pk, "day": "2026-11-25"})

    assert by_clerk.status_code == 403
    assert by_clerk.json()["detail"] == "Only a supervisor signs the daily ledger."
    assert signed.status_code == 201, signed.json()
    assert signed.json()["totals"]["parcels_registered"] == 1
    assert signed.json()["signed_by"] == supervisor.pk and signed.json()["note"] == "正常"
    refused(twice, "The ledger of 2026-11-24 is already signed.")
    refused(tomorrow, "A day that has not happened yet cannot be signed.")
    assert DailyLedger.objects.count() == 1
    listed = client.get(reverse("ledger-list"), {"day_from": "2026-11-01"}).json()["results"]
    assert [row["day"] for row in listed] == ["2026-11-24"]
