"""A front-desk clerk signs in, searches a resident by the last four digits of a phone,
and opens the card."""

import re
from datetime import date

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory


def test_clerk_signs_in_finds_resident_by_last_four_digits_and_opens_card(
    live_server, page, clerk, sunshine, elsewhere
):
    unit = UnitFactory(building=BuildingFactory(property=sunshine, number="1"), number="1203")
    lin = ResidentFactory(
        property=sunshine,
        name="林晓峰",
        unit=unit,
        phones=["13812345678"],
        move_in_date=date(2004, 2, 14),
    )
    ResidentFactory(property=sunshine, name="吴敏", phones=["15000001111"])
    ResidentFactory(property=elsewhere, name="外人", phones=["13999995678"])

    page.goto(live_server.url + "/login/")
    page.locator("#id_username").fill("clerk")
    page.locator("#id_password").fill("secret-pass-123")
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/lookup/$"))

    page.locator("#q").press_sequentially("5678")
    # htmx swaps the results in, then pushes the URL: the final search has landed.
    expect(page).to_have_url(re.compile(r"/lookup/\?q=5678$"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("林晓峰")
    expect(rows.first).to_contain_text("138****5678")
    expect(page.locator("#results")).not_to_contain_text("吴敏")
    expect(page.locator("#results")).not_to_contain_text("外人")
    screenshot(page, "clerk-lookup.png")

    page.get_by_role("link", name="林晓峰").click()
    expect(page).to_have_url(re.compile(rf"/residents/{lin.pk}/$"))
    expect(page.locator("h1")).to_contain_text("林晓峰")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(lin.archive_number)
    expect(facts).to_contain_text("1-1203")
    phones = page.locator("#phones")
    expect(phones).to_contain_text("138****5678")
    expect(phones).not_to_contain_text("13812345678")
    screenshot(page, "resident-card.png")

    phones.locator(f"button[hx-get='/residents/{lin.pk}/phones/']").click()
    expect(page.locator("#phones")).to_contain_text("13812345678")
    expect(page.locator("#phones button")).to_have_count(0)
