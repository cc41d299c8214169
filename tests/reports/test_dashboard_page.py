"""The dashboard page: its figures, defaults and filters, and who may see it."""

from datetime import date

from django.urls import reverse

from reports.figures import FIGURE_KEYS
from tests.clock import at
from tests.conftest import staff_at
from tests.factories import ResidentFactory, UserFactory, complaint_received
from tests.reports.conftest import NOW, RANGE, figures_of, t

# --- the page ------------------------------------------------------------------------------------------


def test_the_page_shows_every_figure_beside_its_target_and_the_previous_period(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"), RANGE)
    assert response.status_code == 200
    page = response.content.decode()
    d = response.context["dashboard"]
    assert [f.key for f in d.figures] == FIGURE_KEYS
    for f in d.figures:
        assert f.label in page
        url = reverse("reports_drill", args=[f.key])
        assert (
            f'href="{url}?property=all&amp;from=2026-11-09&amp;to=2026-11-22&amp;trend=week"'
            in page
        )
    # Charts drawn on the server, said to screen readers; the numbers also in tables.
    assert page.count('role="img"') >= 8 + 8 + 1
    assert 'aria-label="Satisfaction: 80%, target ≥ 96%, previous period 50%"' in page
    assert 'id="figures-table"' in page and "4 / 5" in page and "250.00 / 300.00" in page
    assert "83.3%" in page and "75%" in page
    assert "Misses the target" in page
    assert "@media print" in page
    assert "2026-11-09 – 2026-11-15" in page  # the trend's table
    assert "林晓峰" not in page  # figures, not people
    assert reverse("reports_dashboard_xlsx") in page and reverse("reports_dashboard_csv") in page
    assert reverse("reports_monthly_pdf", args=["2026-11"]) in page


def test_the_default_is_this_month_to_date_for_all_my_properties(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"))
    d = response.context["dashboard"]
    assert (d.start, d.end, d.trend_by) == (date(2026, 11, 1), date(2026, 11, 24), "week")
    assert (d.previous_start, d.previous_end) == (date(2026, 10, 8), date(2026, 10, 31))
    assert d.complaint_total == 6  # c0, c5, c1, c2, c3, c4


def test_bad_filters_get_a_message(world, boss):
    with at(NOW):
        response = boss.get(
            reverse("reports_dashboard"), {"from": "2026-11-20", "to": "2026-11-01"}
        )
        assert response.status_code == 400
        assert "The first day comes after the last one." in response.content.decode()
        assert boss.get(reverse("reports_dashboard"), {"from": "yesterday"}).status_code == 400
        assert boss.get(reverse("reports_dashboard"), {"trend": "year"}).status_code == 400


# --- scope -------------------------------------------------------------------------------------------


def test_only_supervisors_and_project_managers_of_the_property_see_it(
    world, client, sunshine, elsewhere, clerk, project_manager
):
    names = ["reports_dashboard", "reports_dashboard_xlsx", "reports_dashboard_csv"]
    # A clerk of the property: not found, everywhere.
    client.force_login(clerk)
    with at(NOW):
        for name in names:
            assert client.get(reverse(name), RANGE).status_code == 404
        assert client.get(reverse("reports_drill", args=["overdue"]), RANGE).status_code == 404
        assert client.get(reverse("reports_monthly_pdf", args=["2026-11"])).status_code == 404
    # The project manager sees it.
    client.force_login(project_manager)
    with at(NOW):
        response = client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk})
    assert response.status_code == 200
    assert figures_of(response.context["dashboard"])["overdue"].value == 3
    # Another property's supervisor sees none of it: naming it is not found, "all" is theirs.
    other = staff_at(elsewhere, "supervisor", username="other-boss")
    client.force_login(other)
    with at(NOW):
        assert (
            client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk}).status_code
            == 404
        )
        response = client.get(reverse("reports_dashboard"), RANGE)
        drill = client.get(reverse("reports_drill", args=["complaints"]), RANGE)
    d = response.context["dashboard"]
    assert [p.pk for p in d.properties] == [elsewhere.pk]
    assert d.complaint_total == 0 and figures_of(d)["overdue"].value == 0
    assert drill.context["rows"] == []
    # Not signed in: the login page.
    client.logout()
    assert client.get(reverse("reports_dashboard")).status_code == 302


def test_a_project_manager_of_two_properties_sees_both_or_one(
    world, client, sunshine, elsewhere, project_manager
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=project_manager, property=elsewhere, role="project_manager")
    foreigner = staff_at(elsewhere, "clerk", username="foreign-clerk")
    with at(t(11, 10)):
        complaint_received(elsewhere, by=foreigner, answered_on_spot=True)
    client.force_login(project_manager)
    with at(NOW):
        both = client.get(reverse("reports_dashboard"), RANGE).context["dashboard"]
        one = client.get(reverse("reports_dashboard"), {**RANGE, "property": sunshine.pk}).context[
            "dashboard"
        ]
    assert (both.complaint_total, one.complaint_total) == (5, 4)
    # A building is named with its property when there are several.
    assert any(r.label.startswith(sunshine.name) for r in both.complaints["building"])


def test_a_resident_gets_not_found_on_the_pages(world, client, sunshine):
    resident = ResidentFactory(property=sunshine, name="住户", unit=world["u1"])
    resident.user = UserFactory(username="resident-user")
    resident.save(update_fields=["user"])
    client.force_login(resident.user)
    assert client.get(reverse("reports_dashboard")).status_code == 404


def test_only_a_last_day_given_starts_at_its_months_first(world, boss):
    with at(NOW):
        response = boss.get(reverse("reports_dashboard"), {"to": "2026-10-15"})
    d = response.context["dashboard"]
    assert (d.start, d.end) == (date(2026, 10, 1), date(2026, 10, 15))
