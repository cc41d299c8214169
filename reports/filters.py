"""The dashboard's filters, shared by its page, its exports and the API: the properties a user
supervises, the form read from the query string (property, days, trend) and the Filters it
yields."""

from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from frontdesk import policy
from frontdesk.models import Property, User
from reports.dashboard_queries import dashboard
from reports.figures import MONTH, WEEK, Dashboard
from reports.periods import first_of_month, month_end

MAX_DAYS = 731  # two years: the trend stays readable, the previous period stays meaningful


ALL = "all"


def supervised(user: User) -> list[Property]:
    """The properties whose dashboard the user sees: where they are supervisor or project
    manager (every property for a superuser). One query."""
    return list(policy.properties_with(user, "report.read").order_by("pk"))


class NotYours(Exception):
    """A property the user does not supervise (or none at all): not found."""


class DashboardForm(forms.Form):
    """?property=<id>|all&from=YYYY-MM-DD&to=YYYY-MM-DD&trend=week|month. Defaults: all the
    user's properties, this month to date (local), by week (by month past 62 days)."""

    property = forms.CharField(label=_("Property"), required=False)
    trend = forms.ChoiceField(
        label=_("Trend by"),
        required=False,
        choices=[(WEEK, _("week")), (MONTH, _("month"))],
    )

    def __init__(self, data, *, properties: list[Property], today: date):
        super().__init__(data)
        self.properties, self.today = properties, today
        self.fields["from"] = forms.DateField(
            label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["to"] = forms.DateField(
            label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
        self.order_fields(["property", "from", "to", "trend"])
        self.fields["property"].widget = forms.Select(
            choices=[(ALL, gettext("All my properties"))]
            + [(str(p.pk), p.name) for p in properties]
        )

    def clean_property(self):
        value = (self.cleaned_data.get("property") or ALL).strip()
        if value == ALL:
            return ALL
        if not value.isdigit() or int(value) not in {p.pk for p in self.properties}:
            raise NotYours(value)
        return value

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("from") or first_of_month(cleaned.get("to") or self.today)
        end = cleaned.get("to") or (self.today if start <= self.today else month_end(start))
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        if start > end:
            raise forms.ValidationError(gettext("The first day comes after the last one."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                gettext("Choose at most %(days)d days.") % {"days": MAX_DAYS}
            )
        cleaned["from"], cleaned["to"] = start, end
        if not cleaned.get("trend"):
            cleaned["trend"] = WEEK if (end - start).days < 62 else MONTH
        return cleaned


@dataclass(frozen=True)
class Filters:
    properties: list[Property]  # the ones reported on
    property: str  # ALL or an id
    start: date
    end: date
    trend: str

    def params(self, **extra) -> dict:
        params = {
            "property": self.property,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "trend": self.trend,
        }
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return params


def filters_from(params, user: User) -> tuple[Filters | None, DashboardForm]:
    """The dashboard's filters from a query string. Raises NotYours when the user supervises
    no property, or names one they do not; (None, form with errors) for bad values."""
    properties = supervised(user)
    if not properties:
        raise NotYours
    today = properties[0].today()  # the page's property, or the first of all shown
    form = DashboardForm(params, properties=properties, today=today)
    if not form.is_valid():
        return None, form
    chosen = form.cleaned_data["property"]
    reported = properties if chosen == ALL else [p for p in properties if str(p.pk) == chosen]
    filters = Filters(
        properties=reported,
        property=chosen,
        start=form.cleaned_data["from"],
        end=form.cleaned_data["to"],
        trend=form.cleaned_data["trend"],
    )
    # The form shown again with the dates and trend in force (the defaults filled in).
    shown = DashboardForm(filters.params(), properties=properties, today=today)
    shown.is_valid()
    return filters, shown


def dashboard_for(filters: Filters, now: datetime | None = None) -> Dashboard:
    return dashboard(
        filters.properties, filters.start, filters.end, now or timezone.now(), trend=filters.trend
    )
