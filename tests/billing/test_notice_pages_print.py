"""One notice as the resident receives it, and a building's month printed on A4 and as a PDF."""

import re
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from billing import desk_queries, notice_pdf
from billing.dunning import dunning_advance
from billing.models import DunningStage, FeeNotice
from billing.notices import notices_generate
from tests.billing.conftest import DEC, OCT, D, issued, notice_of, pay_cash
from tests.clock import frozen_at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UnitFactory
from tests.helpers import EN, pdf_text, same_queries, squeeze, text

_tenth_of_december = frozen_at("2026-12-10 10:00 +0800")


# --- one notice ------------------------------------------------------------------------------------


def test_a_notice_shows_what_the_resident_receives(clerk_client, lins):
    notice = notice_of(lins.u["102"])

    page = text(clerk_client.get(reverse("billing_notice", args=[notice.pk]), **EN))

    assert "<h1>阳光花园</h1>" in page
    assert "杭州市西湖区文三路88号" in page and "Service phone: 0571-88886666" in page
    assert "Fee notice" in page and "Notice number: 202611-1-102" in page
    assert '<td class="unit">1-102</td>' in page
    assert "林晓峰, 林太太 (晓峰贸易)" in page
    assert "<td>2026-11</td>" in page
    lines = squeeze(
        re.sub(r"<[^>]+>", " ", page.split('class="notice-lines"')[1].split("</table>")[0])
    )
    assert "物业管理费150.002.00300.00" in lines
    assert "Total300.00" in lines
    assert '<td class="num arrears">0.00</td>' in page
    assert '<td class="num paid">300.00</td>' in page
    assert '<td class="num outstanding"><strong>0.00</strong></td>' in page
    assert "2026-11-16" in page
    assert lins.receipt.number in page
    assert reverse("billing_receipt", args=[lins.receipt.pk]) in page
    assert "This notice is paid in full." in page
    assert reverse("billing_pay", args=[lins.u["102"].pk]) not in page


def test_a_later_notice_shows_the_earlier_arrears_the_payments_and_the_dunning(clerk_client, lins):
    DunningStage.objects.create(property=lins.prop, step=1, kind="reminder", days_overdue=1)
    DunningStage.objects.create(property=lins.prop, step=2, kind="phone", days_overdue=20)
    dunning_advance(now=datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    november_101 = notice_of(lins.u["101"])
    december_101 = notice_of(lins.u["101"], DEC)

    overdue = text(clerk_client.get(reverse("billing_notice", args=[november_101.pk]), **EN))
    later = text(clerk_client.get(reverse("billing_notice", args=[december_101.pk]), **EN))
    part_paid = text(clerk_client.get(reverse("billing_notice", args=[lins.december.pk]), **EN))

    dunning = squeeze(re.sub(r"<[^>]+>", " ", overdue.split('class="notice-dunning"')[1]))
    assert "2026-12-101.Remindernotice100.00" in dunning
    assert "2026-12-102.Phonecall100.00" in dunning
    assert "Overdue" in overdue
    assert "Please pay 100.00 yuan by 2026-11-16 at the service centre." in overdue
    assert reverse("billing_pay", args=[lins.u["101"].pk]) in overdue
    assert '<td class="num arrears">100.00</td>' in later  # November's, brought forward
    assert "2026-12-16" in later and "notice-dunning" not in later
    assert '<td class="num paid">120.00</td>' in part_paid
    assert '<td class="num outstanding"><strong>180.00</strong></td>' in part_paid
    assert lins.second.number in part_paid and lins.receipt.number not in part_paid


def test_another_propertys_notice_is_not_found(clerk_client, november, foreign):
    response = clerk_client.get(reverse("billing_notice", args=[foreign.notice.pk]))

    assert response.status_code == 404


def test_a_notice_page_runs_a_fixed_number_of_queries(
    clerk_client, lins, django_assert_num_queries
):
    DunningStage.objects.create(property=lins.prop, step=1, kind="reminder", days_overdue=1)
    dunning_advance(now=datetime(2026, 12, 10, 2, 0, tzinfo=UTC))
    bare = notice_of(lins.u["201"], DEC)  # no resident, no payment, no dunning

    same_queries(
        clerk_client,
        reverse("billing_notice", args=[bare.pk]),
        reverse("billing_notice", args=[notice_of(lins.u["102"]).pk]),
        django_assert_num_queries,
        **EN,
    )


# --- the print batch and its PDF ------------------------------------------------------------------
# PDFs are read back with pypdf (see tests/tickets/test_complaint_letter.py for why); its text is
# compared without whitespace.


def test_the_batch_prints_each_notice_of_the_building_on_its_own_a4_page(clerk_client, lins):
    response = clerk_client.get(reverse("billing_notice_batch", args=[lins.b1.pk, "2026-12"]), **EN)

    page = text(response)
    assert response.status_code == 200
    assert "size: A4" in page and "page-break-after: always" in page
    assert page.count('<article class="notice-sheet"') == 2
    assert page.index("Notice number: 202612-1-101") < page.index("Notice number: 202612-1-102")
    assert "202612-2-201" not in page and "202611-" not in page.split("</div>", 1)[1]
    assert "林晓峰, 林太太 (晓峰贸易)" in page
    assert '<td class="num arrears">100.00</td>' in page  # 1-101's unpaid November
    assert '<td class="num outstanding"><strong>180.00</strong></td>' in page
    assert "2 notices, total 400.00" in page


def test_a_month_without_notices_prints_nothing_and_has_no_pdf(clerk_client, november):
    page = clerk_client.get(reverse("billing_notice_batch", args=[november.b1.pk, "2026-09"]), **EN)
    pdf = clerk_client.get(reverse("billing_notice_batch_pdf", args=[november.b1.pk, "2026-09"]))

    assert page.status_code == 200
    assert "This building has no fee notices for that month." in text(page)
    assert 'class="notice-sheet"' not in text(page)
    assert pdf.status_code == 404


def test_the_batch_pdf_has_one_page_per_notice_with_its_unit_and_total(clerk_client, lins):
    response = clerk_client.get(
        reverse("billing_notice_batch_pdf", args=[lins.b1.pk, "2026-12"]), **EN
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "notices-sunshine-1-2026-12.pdf" in response["Content-Disposition"]
    pages, found = pdf_text(response.content)
    assert pages == 2
    reader = PdfReader(BytesIO(response.content))
    first, second = (squeeze(p.extract_text()) for p in reader.pages)
    assert "阳光花园" in first and "0571-88886666" in first
    assert "202612-1-101" in first and "1-101" in first and "100.00" in first
    assert "202612-1-102" in second and "300.00" in second
    assert "林晓峰,林太太(晓峰贸易)" in second
    assert "180.00" in second  # outstanding after the 120.00 paid
    assert "物业管理费" in found


def test_the_pdf_escapes_markup_in_what_it_prints(estate, lins):
    ResidentFactory(property=estate.prop, name="<b>A&B</b>", unit=estate.u["201"])
    notices = desk_queries.notice_batch(
        staff_at(estate.prop, "supervisor", username="boss2"), estate.b2, DEC
    )

    content = notice_pdf.batch_pdf(
        [notice_pdf.sheet(n) for n in notices], title="t", invariant=True
    )

    pages, found = pdf_text(content)
    assert pages == 1 and "<b>A&B</b>" in found


@pytest.mark.parametrize("name", ["billing_notice_batch", "billing_notice_batch_pdf"])
def test_another_propertys_building_or_a_bad_month_is_not_found(
    clerk_client, november, foreign, name
):
    assert clerk_client.get(reverse(name, args=[foreign.building.pk, "2026-11"])).status_code == 404
    assert clerk_client.get(f"/billing/print/{november.b1.pk}/2026-13/").status_code == 404
    assert clerk_client.get(f"/billing/print/{november.b1.pk}/2026-13.pdf").status_code == 404


@pytest.mark.parametrize("name", ["billing_notice_batch", "billing_notice_batch_pdf"])
def test_the_batch_runs_a_fixed_number_of_queries_for_any_number_of_notices(
    clerk_client, lins, clerk, django_assert_num_queries, name
):
    for number in range(300, 306):
        unit = UnitFactory(building=lins.b1, number=str(number), area_m2=D("70"))
        ResidentFactory(property=lins.prop, unit=unit)
    notices_generate(property=lins.prop, period=date(2026, 9, 1), now=issued(OCT))
    pay_cash(lins.u["101"], clerk, notice_of(lins.u["101"], date(2026, 9, 1)), amount="50.00")

    same_queries(
        clerk_client,
        reverse(name, args=[lins.b2.pk, "2026-09"]),
        reverse(name, args=[lins.b1.pk, "2026-09"]),
        django_assert_num_queries,
        **EN,
    )
    assert FeeNotice.objects.filter(unit__building=lins.b1, period=date(2026, 9, 1)).count() == 8
