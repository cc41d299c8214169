"""The resident portal's fees: what I owe now per home and my credit, my notices newest first
with their state, my payments with receipt numbers; a notice with its lines and arrears; a
receipt with the three figures said aloud for cash. Only my own: anything else is 404."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import FeeNotice, FeeNoticeLine
from billing.payments import adjustment_decide, adjustment_request, payment_take
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import BuildingFactory, ResidentFactory, UnitFactory, portal_user_for

D = Decimal
TODAY = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 2026-11-20


on_the_20th = frozen_at(TODAY)


def make_notice(unit, period, total, *, due, lines=(), arrears="0", kind="monthly", number=None):
    notice = FeeNotice.objects.create(
        property=unit.building.property,
        unit=unit,
        kind=kind,
        period=period,
        number=number or f"{period:%Y%m}-{unit.label}",
        issued_at=datetime(period.year, period.month, 1, 1, 0, tzinfo=UTC),
        due_date=due,
        total=D(total),
        arrears_before=D(arrears),
    )
    for description, quantity, price, amount in lines or [("物业管理费", 1, total, total)]:
        FeeNoticeLine.objects.create(
            notice=notice,
            description=description,
            quantity=D(quantity),
            unit_price=D(price),
            amount=D(amount),
        )
    return notice


def pay(unit, by, notices, amount, *, method="cash", received=None):
    return payment_take(
        unit=unit,
        by=by,
        notices=notices,
        method=method,
        amount=D(amount),
        received=D(received) if received else None,
        reference="" if method == "cash" else "4200001234",
    )


@pytest.fixture
def units(sunshine):
    two = BuildingFactory(property=sunshine, number="2")
    return {
        "2-1503": UnitFactory(building=two, number="1503", area_m2=D("89.37")),
        "2-1603": UnitFactory(building=two, number="1603"),
        "2-1504": UnitFactory(building=two, number="1504"),
    }


@pytest.fixture
def lin_fields(units):
    """林晓峰 has two homes: 2-1503 and 2-1603."""
    return {"units": [units["2-1503"], units["2-1603"]]}


@pytest.fixture
def lin_account():
    return {"username": "lin"}


@pytest.fixture
def neighbour(sunshine, units):
    resident = ResidentFactory(property=sunshine, name="邻居", unit=units["2-1504"])
    portal_user_for(resident, "neighbour")
    return resident


@pytest.fixture
def fees(clerk, units, elsewhere):
    """2-1503: September overdue (200), October paid (cash 300, received 400), November
    partly paid (100 of 320 by WeChat). 2-1603: November owed (150) and 50 of credit.
    The neighbour's 2-1504 and another property's unit have their own."""
    home, second = units["2-1503"], units["2-1603"]
    sep = make_notice(home, date(2026, 9, 1), "200.00", due=date(2026, 9, 16))
    oct_ = make_notice(home, date(2026, 10, 1), "300.00", due=date(2026, 10, 16))
    nov = make_notice(
        home,
        date(2026, 11, 1),
        "320.00",
        due=date(2026, 11, 30),
        arrears="200.00",
        lines=[
            ("物业管理费", "89.37", "2.5000", "223.43"),
            ("水费: 120.50 → 135.00", "14.50", "4.1000", "59.45"),
            ("清洗油烟机", "1", "37.1200", "37.12"),
        ],
    )
    owed = make_notice(second, date(2026, 11, 1), "150.00", due=date(2026, 11, 30))
    cash = pay(home, clerk, [oct_], "300.00", received="400.00")
    wechat = pay(home, clerk, [nov], "100.00", method="wechat")
    credit = pay(second, clerk, [], "50.00", method="alipay")
    theirs = make_notice(units["2-1504"], date(2026, 11, 1), "280.00", due=date(2026, 11, 30))
    their_payment = pay(units["2-1504"], clerk, [theirs], "280.00", received="280.00")
    far = UnitFactory(building=BuildingFactory(property=elsewhere, number="9"), number="0901")
    far_notice = make_notice(far, date(2026, 11, 1), "999.00", due=date(2026, 11, 30))
    far_payment = pay(
        far, staff_at(elsewhere, "clerk", username="far"), [far_notice], "999.00", received="999.00"
    )
    return {
        "sep": sep,
        "oct": oct_,
        "nov": nov,
        "owed": owed,
        "cash": cash,
        "wechat": wechat,
        "credit": credit,
        "theirs": theirs,
        "their_payment": their_payment,
        "far_notice": far_notice,
        "far_payment": far_payment,
    }


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def table_rows(body: str, table_id: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', body, re.S)
    assert table, f"no table {table_id}"
    return [text_of(row) for row in re.findall(r"<tr[^>]*>.*?</tr>", table[0], re.S)][1:]


# --- my fees -----------------------------------------------------------------------------------------


def test_my_fees_show_what_each_home_owes_and_the_credit(lin_client, fees):
    body = lin_client.get(reverse("portal_fees")).content.decode()

    assert table_rows(body, "balances") == [
        "阳光花园 2-1503 420.00 0.00",
        "阳光花园 2-1603 150.00 50.00",
        "All my homes 570.00 50.00",
    ]


def test_my_notices_newest_first_with_their_state(lin_client, fees):
    body = lin_client.get(reverse("portal_fees")).content.decode()

    assert table_rows(body, "notices") == [
        "202611-2-1603 2-1603 2026-11 2026-11-30 150.00 0.00 150.00 Owed",
        "202611-2-1503 2-1503 2026-11 2026-11-30 320.00 100.00 220.00 Partly paid",
        "202610-2-1503 2-1503 2026-10 2026-10-16 300.00 300.00 0.00 Paid",
        "202609-2-1503 2-1503 2026-09 2026-09-16 200.00 0.00 200.00 Overdue",
    ]
    assert f'href="{reverse("portal_notice", args=[fees["sep"].pk])}"' in body


def test_my_payments_with_their_receipt_numbers(lin_client, fees):
    body = lin_client.get(reverse("portal_fees")).content.decode()

    rows = table_rows(body, "payments")
    assert [row.split(" ")[0] for row in rows] == [
        fees["credit"].number,
        fees["wechat"].number,
        fees["cash"].number,
    ]
    assert rows[2].endswith("2-1503 Cash 300.00")
    assert "Alipay 50.00" in rows[0]
    assert f'href="{reverse("portal_receipt", args=[fees["cash"].pk])}"' in body


def test_nothing_of_the_neighbour_or_another_property_shows(lin_client, fees):
    body = lin_client.get(reverse("portal_fees")).content.decode()

    for other in ("202611-2-1504", fees["their_payment"].number, "2-1504", "999.00"):
        assert other not in body


def test_an_opening_balance_shows_as_such(lin_client, lin, units):
    make_notice(
        units["2-1503"],
        date(2026, 6, 30),
        "88.00",
        due=date(2026, 6, 30),
        kind="opening",
        number="OB-2-1503-20260630",
    )

    body = lin_client.get(reverse("portal_fees")).content.decode()

    assert table_rows(body, "notices") == [
        "OB-2-1503-20260630 2-1503 Opening balance (2026-06-30) 2026-06-30 88.00 0.00 88.00 Overdue"
    ]


def test_a_resident_with_nothing_owed_is_told_so(lin_client, lin):
    body = lin_client.get(reverse("portal_fees")).content.decode()

    assert "Nothing is owed now." in body
    assert "You have no fee notices yet." in body
    assert "You have made no payments yet." in body


def test_the_fees_page_runs_a_fixed_number_of_queries(
    lin_client, clerk, units, fees, django_assert_num_queries
):
    lin_client.get(reverse("portal_fees"))
    with CaptureQueriesContext(connection) as few:
        lin_client.get(reverse("portal_fees"))
    for month in range(1, 9):
        notice = make_notice(units["2-1603"], date(2026, month, 1), "10.00", due=date(2026, 12, 1))
        pay(units["2-1603"], clerk, [notice], "10.00", received="10.00")

    with django_assert_num_queries(len(few.captured_queries)):
        body = lin_client.get(reverse("portal_fees")).content.decode()
    assert len(table_rows(body, "notices")) == 12


def test_notices_and_payments_page_on_their_own_parameters(lin_client, clerk, units):
    for day in range(1, 22):  # one more than a phone's page of each
        notice = make_notice(
            units["2-1603"],
            date(2026, 10, day),
            "10.00",
            due=date(2026, 11, 1),
            number=f"N{day:02}",
        )
        pay(units["2-1603"], clerk, [notice], "10.00", received="10.00")

    first = lin_client.get(reverse("portal_fees")).content.decode()
    assert len(table_rows(first, "notices")) == 20
    assert len(table_rows(first, "payments")) == 20
    assert '<a href="?page=2">Older</a>' in first
    assert '<a href="?receipts=2">Older</a>' in first
    assert text_of(first).count("Page 1 of 2") == 2

    older_notices = lin_client.get(reverse("portal_fees") + "?page=2").content.decode()
    assert [row.split()[0] for row in table_rows(older_notices, "notices")] == ["N01"]
    assert '<a href="?page=1">Newer</a>' in older_notices
    assert len(table_rows(older_notices, "payments")) == 20

    older_payments = lin_client.get(reverse("portal_fees") + "?receipts=2").content.decode()
    assert len(table_rows(older_payments, "payments")) == 1
    assert '<a href="?receipts=1">Newer</a>' in older_payments


# --- one notice -----------------------------------------------------------------------------------------


def test_a_notice_with_its_lines_arrears_due_date_and_payments(lin_client, fees):
    body = lin_client.get(reverse("portal_notice", args=[fees["nov"].pk])).content.decode()

    assert "Fee notice 202611-2-1503" in body
    assert table_rows(body, "lines") == [
        "物业管理费 89.37 2.50 223.43",
        "水费: 120.50 → 135.00 14.50 4.10 59.45",
        "清洗油烟机 1.00 37.12 37.12",
    ]
    figures = text_of(re.search(r'<dl class="facts" id="figures">.*?</dl>', body, re.S)[0])
    assert figures == (
        "Total of this notice 320.00 Paid 100.00 Still owed 220.00 Earlier arrears 200.00"
    )
    assert "earlier notices still owed 200.00 yuan" in body
    assert '<dd id="due">2026-11-30</dd>' in body
    assert '<span class="tag" id="state">Partly paid</span>' in body
    assert [row.split(" ")[0] for row in table_rows(body, "payments")] == [fees["wechat"].number]


def test_an_overdue_notice_says_so(lin_client, fees):
    body = lin_client.get(reverse("portal_notice", args=[fees["sep"].pk])).content.decode()

    assert "This notice was due on 2026-09-16. Please pay at the service centre." in body
    assert '<dd id="arrears">0.00</dd>' in body


# --- one receipt ----------------------------------------------------------------------------------------


def test_a_cash_receipt_shows_total_due_received_and_change(lin_client, fees):
    body = lin_client.get(reverse("portal_receipt", args=[fees["cash"].pk])).content.decode()

    assert f"Receipt {fees['cash'].number}" in body
    assert '<dd id="total-due">300.00</dd>' in body
    assert '<dd id="received">400.00</dd>' in body
    assert '<dd id="change">100.00</dd>' in body
    assert "The total is 300.00 yuan, received 400.00 yuan, your change 100.00 yuan." in body
    assert table_rows(body, "notices") == ["202610-2-1503 2026-10 300.00"]


def test_a_wechat_receipt_has_its_reference_and_no_change(lin_client, fees):
    body = lin_client.get(reverse("portal_receipt", args=[fees["wechat"].pk])).content.decode()

    assert "WeChat Pay" in body and "4200001234" in body
    assert '<dd id="total-due">320.00</dd>' in body and '<dd id="amount">100.00</dd>' in body
    assert 'id="change"' not in body and 'id="received"' not in body


def test_a_payment_kept_as_credit_says_so(lin_client, fees):
    body = lin_client.get(reverse("portal_receipt", args=[fees["credit"].pk])).content.decode()

    assert '<dd id="credit">50.00</dd>' in body
    assert 'id="notices"' not in body


def test_a_voided_receipt_says_so(lin_client, clerk, supervisor, fees):
    adjustment = adjustment_request(payment=fees["cash"], by=clerk, kind="void", reason="收错户")
    adjustment_decide(adjustment=adjustment, by=supervisor, approve=True)

    body = lin_client.get(reverse("portal_receipt", args=[fees["cash"].pk])).content.decode()
    fees_page = lin_client.get(reverse("portal_fees")).content.decode()

    assert "This receipt was voided" in body
    assert table_rows(body, "notices") == [
        "202610-2-1503 2026-10 300.00",
        "202610-2-1503 2026-10 -300.00 (taken back)",
    ]
    assert "Void" in table_rows(fees_page, "payments")[2]
    assert "202610-2-1503 2-1503 2026-10 2026-10-16 300.00 0.00 300.00 Overdue" in table_rows(
        fees_page, "notices"
    )


# --- only mine ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("portal_notice", "theirs"),
        ("portal_notice", "far_notice"),
        ("portal_receipt", "their_payment"),
        ("portal_receipt", "far_payment"),
    ],
)
def test_another_residents_or_propertys_notice_or_receipt_is_not_found(
    lin_client, neighbour, fees, name, key
):
    assert lin_client.get(reverse(name, args=[fees[key].pk])).status_code == 404


def test_the_neighbour_sees_their_own_only(client, neighbour, fees):
    client.force_login(neighbour.user)

    body = client.get(reverse("portal_fees"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert [row.split(" ")[0] for row in table_rows(body, "notices")] == ["202611-2-1504"]
    assert client.get(reverse("portal_notice", args=[fees["nov"].pk])).status_code == 404
    assert client.get(reverse("portal_receipt", args=[fees["cash"].pk])).status_code == 404


@pytest.mark.parametrize("name", ["portal_fees", "portal_notice", "portal_receipt"])
def test_staff_get_404_like_the_other_portal_pages(clerk_client, fees, name):
    args = [] if name == "portal_fees" else [fees["oct" if name == "portal_notice" else "cash"].pk]

    assert clerk_client.get(reverse(name, args=args)).status_code == 404


def test_signing_in_is_required(client, fees):
    response = client.get(reverse("portal_fees"))

    assert response.status_code == 302 and "/login/" in response.url
