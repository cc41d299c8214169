"""Read side of repair orders for the desk's pages: already scoped by the policy, with
what each page shows fetched in a fixed number of queries."""

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from frontdesk import policy
from frontdesk.filters import ALL, ReceivedBetween, received_between
from frontdesk.models import Building, Department, Membership, Resident, User
from frontdesk.pages import PAGE_SIZE, Page, newest_first
from tickets.models import PriceItem, RepairEvent, RepairOrder, RepairPayment
from visits.models import Callback

RESIDENT_CARD_LIMIT = 20


def person_name(user: User) -> str:
    return user.get_full_name() or user.username


class RepairListFilter(ReceivedBetween, django_filters.FilterSet):
    """The desk's order list filters. The choices offered are the user's own properties'."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=RepairOrder.State.choices, empty_label=ALL
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=RepairOrder.Category.choices, empty_label=ALL
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=ALL
    )
    engineer = django_filters.ModelChoiceFilter(
        label=_("Engineer"), queryset=User.objects.none(), empty_label=ALL
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"),
        field_name="unit__building",
        queryset=Building.objects.none(),
        empty_label=ALL,
    )
    received_from, received_to = received_between()

    class Meta:
        model = RepairOrder
        fields = ["state", "category", "department", "engineer", "building"]

    def __init__(self, data=None, *, user: User, **kwargs):
        super().__init__(data, queryset=policy.repairs_for(user), **kwargs)
        properties = policy.properties_for(user)
        engineers = Membership.objects.filter(
            property__in=properties, role__in=policy.roles_with("repair.work")
        )
        self.filters["department"].queryset = Department.objects.filter(
            property__in=properties
        ).order_by("property_id", "name")
        self.filters["engineer"].queryset = User.objects.filter(
            pk__in=engineers.values("user_id")
        ).order_by("first_name", "username")
        self.filters["building"].queryset = Building.objects.filter(
            property__in=properties
        ).order_by("property_id", "number")

    @property
    def form(self):
        form = super().form
        form.fields["engineer"].label_from_instance = person_name
        return form


def repair_page(qs: QuerySet, *, before: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of orders, newest first (frontdesk.pages). `before` is the cursor of the
    last row of the previous page."""
    qs = qs.select_related("property", "resident", "unit__building", "department", "engineer")
    return newest_first(qs, "received_at", before=before, size=size)


def repair_detail(user: User, pk: int) -> RepairOrder:
    """One order with everything its page shows; raises DoesNotExist for what the user may
    not see (another property's order)."""
    return (
        policy.repairs_for(user)
        .select_related(
            "property",
            "resident",
            "unit__building",
            "department",
            "engineer",
            "created_by",
        )
        .prefetch_related(
            "photos",
            "lines",
            Prefetch("payments", queryset=_payments()),
            Prefetch("events", queryset=RepairEvent.objects.select_related("by")),
            Prefetch("callbacks", queryset=Callback.objects.order_by("created_at", "id")),
            Prefetch("resident__phones"),
        )
        .get(pk=pk)
    )


def _payments():
    return RepairPayment.objects.select_related("received_by").order_by("received_at", "id")


def price_list(order: RepairOrder) -> list[PriceItem]:
    """The property's active price list, for the quote form."""
    return list(PriceItem.objects.filter(property_id=order.property_id, active=True))


def departments_of(order: RepairOrder) -> QuerySet[Department]:
    return Department.objects.filter(property_id=order.property_id).order_by("name")


def engineers_of(order: RepairOrder) -> QuerySet[User]:
    return policy.staff_holding(order.property_id, "repair.work")


def resident_repairs(resident: Resident) -> QuerySet[RepairOrder]:
    """The orders of the resident's units (and the ones they reported), newest first, for
    their card. One query."""
    ids = RepairOrder.objects.filter(Q(unit__residents=resident) | Q(resident=resident)).values(
        "pk"
    )
    return (
        RepairOrder.objects.filter(pk__in=ids, property_id=resident.property_id)
        .select_related("unit__building")
        .order_by("-received_at", "-id")[:RESIDENT_CARD_LIMIT]
    )
