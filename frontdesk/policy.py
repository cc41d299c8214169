"""Who may do what: every capability stated once, and the scopes every page and API takes its
records from.

A capability is a record kind and an action ("repair.pay") held by some roles at a property,
plus, for a few, an object rule naming someone else who may (a message's recipient, the
department a complaint was sent to). Services call `require` at their top and refuse with a
translated message; pages and the API ask `allows` which actions to offer and take their
querysets from the scopes below, so another property's record is simply not found (404).

Residents hold no role: they reach the units they live in now (a resident record not moved
out) and what they filed or paid themselves, read-only once they have moved out.

A small module rather than `rules`: the table is plain data, so the README's role table and the
access test are built from it; predicates would hide the role sets the table must show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from frontdesk.models import Membership, Property, Resident, Role, Unit, User

CLERK, ASSISTANT, SUPERVISOR = Role.CLERK, Role.ASSISTANT, Role.SUPERVISOR
DEPT_MANAGER, ENGINEER, FINANCE = Role.DEPARTMENT_MANAGER, Role.ENGINEER, Role.FINANCE
PROJECT_MANAGER = Role.PROJECT_MANAGER

STAFF = frozenset(Role.values)  # reading the property's records is open to all its staff
DESK = frozenset({CLERK, ASSISTANT, SUPERVISOR, PROJECT_MANAGER})
SUPERVISORS = frozenset({SUPERVISOR, PROJECT_MANAGER})
CASHIERS = DESK | {FINANCE}
BILLING = SUPERVISORS | {FINANCE}


class Refused(ValidationError):
    """A service refused an action the user does not hold: shown like any bad input."""


@dataclass(frozen=True)
class Capability:
    roles: frozenset[str]
    refusal: Any  # the translated message when refused
    rule: Callable[[User, Any], bool] | None = None  # who else may, given the record
    rule_text: str = ""  # that rule in words, for the README's table


# --- object rules: someone other than the role holders who may act on one record ---------------


def _message_recipient(user: User, message) -> bool:
    if message.for_user_id is not None:
        return message.for_user_id == user.pk
    if message.for_department_id is not None:
        return in_department(user, message.property_id, message.for_department_id)
    return message.for_resident is not None and message.for_resident.user_id == user.pk


def _complaint_department(user: User, complaint) -> bool:
    return complaint.department_id is not None and in_department(
        user, complaint.property_id, complaint.department_id
    )


def _department_manager(user: User, complaint) -> bool:
    return manages_department(user, complaint.property_id, complaint.department_id)


def _escalation_addressee(user: User, escalation) -> bool:
    """The rule `addressed_to` states for lists, asked of one escalation."""
    return type(escalation).objects.filter(addressed_to(user), pk=escalation.pk).exists()


def _lives_in(user: User, record) -> bool:
    """A resident who lives in the record's unit now."""
    return record.unit_id is not None and current_units(user).filter(pk=record.unit_id).exists()


def _is_self(user: User, resident) -> bool:
    return resident.user_id == user.pk


def _any_staff(user: User, record) -> bool:
    return bool(roles_at(user, record.property_id))


def cap(roles, refusal, rule=None, rule_text="") -> Capability:
    return Capability(frozenset(roles), refusal, rule, rule_text)


DESK_ONLY = _("Only the customer-service desk can do this.")
MOVED_OUT = _("You have moved out: your records there can be read but no longer changed.")

CAPABILITIES: dict[str, Capability] = {
    # residents and their files
    "resident.read": cap(STAFF, _("Only the property's staff can see its residents.")),
    "resident.edit": cap(DESK, _("Only the desk can change a resident's file.")),
    "resident.phone.full": cap(
        DESK, _("Only the desk sees residents' full numbers."), _is_self, "the resident themselves"
    ),
    "resident.invite": cap(
        {CLERK, ASSISTANT, SUPERVISOR}, _("Only the desk issues portal activation codes.")
    ),
    "resident.move_out": cap(DESK, _("Only the desk can record a move-out.")),
    "holiday.edit": cap(SUPERVISORS, _("Only a supervisor keeps the holiday list.")),
    # repairs
    "repair.read": cap(STAFF, _("Only the property's staff can see its repair orders.")),
    "repair.take": cap(DESK, _("Only the desk can take, quote, dispatch or close repairs.")),
    "repair.pay": cap(CASHIERS, _("Only the desk or finance can take a payment.")),
    "repair.work": cap({ENGINEER}, _("Only an engineer works repair orders.")),
    "repair.agree": cap(
        DESK,
        _("Only the resident or the desk can agree to the quote."),
        _lives_in,
        "a resident who lives in the unit now",
    ),
    "repair.sign_off": cap(
        DESK | {ENGINEER},
        _("Only the resident, the desk or the engineer on site can sign the work off."),
        _lives_in,
        "a resident who lives in the unit now",
    ),
    "repair.reopen.notice": cap({DEPT_MANAGER}, ""),  # told when an order comes back
    # complaints
    "complaint.read": cap(STAFF, _("Only the property's staff can see its complaints.")),
    "complaint.take": cap(DESK, DESK_ONLY),
    "complaint.dispatch": cap(DESK, DESK_ONLY),
    "complaint.reply": cap(DESK, DESK_ONLY),
    "complaint.archive": cap(DESK, DESK_ONLY),
    "complaint.own": cap(
        {ASSISTANT, SUPERVISOR},
        _("The complaint must be followed by a customer-service assistant of this property."),
    ),
    "complaint.resolve": cap(
        DESK,
        _("Only the responsible department or the customer-service desk can do this."),
        _complaint_department,
        "the department it was sent to",
    ),
    "complaint.cannot_solve": cap(
        set(),
        _("Only the department's manager can say the department cannot solve it."),
        _department_manager,
        "the manager of the department it was sent to",
    ),
    "complaint.department": cap(
        {ENGINEER, DEPT_MANAGER},
        _("Only a department's staff see its complaint list."),
        _complaint_department,
        "anyone in the department it was sent to",
    ),
    "complaint.corrective": cap(
        {DEPT_MANAGER, SUPERVISOR, PROJECT_MANAGER},
        _("The corrective action report is filed by the responsible department."),
        _complaint_department,
        "the department it was sent to",
    ),
    "escalation.read": cap(
        {SUPERVISOR, PROJECT_MANAGER, DEPT_MANAGER}, _("Only supervisors see escalations.")
    ),
    "escalation.waiting": cap(SUPERVISORS, ""),  # every unacknowledged one, on their page
    "escalation.addressed": cap({DEPT_MANAGER, PROJECT_MANAGER}, ""),  # the ladder's steps
    "escalation.acknowledge": cap(
        set(),
        _("Only the person it was escalated to can acknowledge it."),
        _escalation_addressee,
        "the person it was escalated to",
    ),
    # callbacks (the queue shows residents' full numbers: the desk only)
    "callback.work": cap(DESK, _("Only the desk makes callbacks.")),
    "callback.supervise": cap(SUPERVISORS, _("Only a supervisor can do this.")),
    "callback.overdue.notice": cap({SUPERVISOR}, ""),  # told when a callback is late or stuck
    # the desk's registers
    "visitor.read": cap(DESK, DESK_ONLY),
    "visitor.write": cap(DESK, _("Only the front desk can do this.")),
    "message.read": cap(DESK, DESK_ONLY, _message_recipient, "whoever it is for"),
    "message.write": cap(DESK, _("Only the front desk can do this.")),
    "message.oversee": cap(SUPERVISORS, ""),
    "parcel.read": cap(DESK, DESK_ONLY),
    "parcel.write": cap(DESK, _("Only the front desk can do this.")),
    "key.read": cap(DESK, DESK_ONLY),
    "key.write": cap(DESK, _("Only the front desk can do this.")),
    "lost_item.read": cap(DESK, DESK_ONLY),
    "lost_item.write": cap(DESK, _("Only the front desk can do this.")),
    "pass.read": cap(STAFF, DESK_ONLY),
    "pass.write": cap(DESK, _("Only the front desk can do this.")),
    "pass.release": cap(
        STAFF, _("Only the property's staff can let items out."), _any_staff, "any of its staff"
    ),
    "decoration.read": cap(STAFF, DESK_ONLY),
    "decoration.write": cap(DESK, _("Only the front desk can do this.")),
    "handover.read": cap(DESK, DESK_ONLY),
    "handover.write": cap(DESK, _("Only the front desk can do this.")),
    "ledger.read": cap(DESK, DESK_ONLY),
    "ledger.sign": cap(SUPERVISORS, _("Only a supervisor signs the daily ledger.")),
    # fees and payments
    "fee_notice.read": cap(STAFF, _("Only the property's staff can see its fee notices.")),
    "fees.generate": cap(BILLING, _("Only a supervisor or finance can issue fee notices.")),
    "fees.import": cap(BILLING, _("Only a supervisor or finance can import.")),
    "payment.read": cap(CASHIERS, _("Only the desk or finance can see payments.")),
    "payment.take": cap(CASHIERS, _("Only the desk or finance can take a payment.")),
    "payment.approve": cap(SUPERVISORS, _("Only a supervisor can decide an adjustment.")),
    # the supervisor's figures
    "report.read": cap(SUPERVISORS, _("Only supervisors see the figures.")),
    "review.sign": cap(SUPERVISORS, _("Only a supervisor signs the daily review.")),
}

# Who an escalation level is addressed to: told when it is raised, and who acknowledges it.
ESCALATION_ADDRESSEES = {"department_manager": {DEPT_MANAGER}, "project_manager": {PROJECT_MANAGER}}


def addressed_to(user: User) -> Q:
    """Escalations (filter) addressed to the user: to a project manager, those of their
    properties; to a department manager, those of their department (or, with no department
    named on either side, every one of that property)."""
    if user.is_superuser:
        return Q()
    memberships = Membership.objects.filter(user=user)
    pm = memberships.filter(role=PROJECT_MANAGER).values("property_id")
    dm = memberships.filter(role=DEPT_MANAGER)
    to_department = Q(complaint__department_id__in=dm.values("department_id"))
    any_department = Q(
        complaint__property_id__in=dm.filter(department__isnull=True).values("property_id")
    ) | Q(complaint__department__isnull=True, complaint__property_id__in=dm.values("property_id"))
    return Q(level="project_manager", complaint__property_id__in=pm) | Q(
        level="department_manager"
    ) & (to_department | any_department)


def roles_with(capability: str) -> frozenset[str]:
    return CAPABILITIES[capability].roles


# --- who holds what -----------------------------------------------------------------------------


def _memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user)


def is_staff_member(user: User) -> bool:
    """Asked several times a request (decorator, layout, view): answered once per user object."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_frontdesk_is_staff"):
        user._frontdesk_is_staff = user.is_superuser or _memberships(user).exists()
    return user._frontdesk_is_staff


def is_resident(user: User) -> bool:
    return user.is_authenticated and not is_staff_member(user) and user.residencies.exists()


def roles_at(user: User, property_id: int) -> set[str]:
    """Cached per user object and property: a page asks several capabilities at once."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role.values)
    cache = user.__dict__.setdefault("_frontdesk_roles", {})
    if property_id not in cache:
        cache[property_id] = set(
            _memberships(user).filter(property_id=property_id).values_list("role", flat=True)
        )
    return cache[property_id]


def roles_anywhere(user: User) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(_memberships(user).values_list("role", flat=True))


def _property_id(record) -> int:
    if isinstance(record, int):
        return record
    if isinstance(record, Property):
        return record.pk
    if isinstance(record, Unit):
        return record.building.property_id
    if hasattr(record, "property_id"):
        return record.property_id
    return record.complaint.property_id  # an escalation is its complaint's


def allows(user: User | None, capability: str, record) -> bool:
    """Whether the user may do it at the record's property (a record, a Property or its id)."""
    if user is None or not user.is_authenticated:
        return False
    held = CAPABILITIES[capability]
    if user.is_superuser or roles_at(user, _property_id(record)) & held.roles:
        return True
    return (
        held.rule is not None and not isinstance(record, int | Property) and held.rule(user, record)
    )


def require(user: User | None, capability: str, record) -> None:
    """A service's first line: refuse, with the capability's message, unless allowed."""
    if not allows(user, capability, record):
        raise Refused(CAPABILITIES[capability].refusal)


def require_self_or(user: User | None, capability: str, resident) -> None:
    """A resident acting for themselves, while they live there; anyone else by the capability."""
    if user is not None and resident.user_id == user.pk and not is_staff_member(user):
        if resident.moved_out_on is not None:
            raise Refused(MOVED_OUT)
        return
    require(user, capability, resident)


def holds_somewhere(user: User, capability: str) -> bool:
    """Whether the user holds the capability by role at any property (a superuser: always)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(roles_anywhere(user) & CAPABILITIES[capability].roles)


def gate(capability: str):
    """A view for the holders of a capability: anyone holding it nowhere is refused (403)
    before their input is read. The record itself is checked by the service."""
    if CAPABILITIES[capability].rule is not None:
        raise ValueError(f"{capability} has an object rule: check it on the record")

    def decorate(view):
        @wraps(view)
        def gated(request, *args, **kwargs):
            if not holds_somewhere(request.user, capability):
                raise PermissionDenied(CAPABILITIES[capability].refusal)
            return view(request, *args, **kwargs)

        return gated

    return decorate


def residing(view):
    """A portal page that files something new: a resident who has moved out of every home
    reads their history but files nothing (403 with the reason); reading stays open."""

    @wraps(view)
    def residing_only(request, *args, **kwargs):
        if request.method not in {"GET", "HEAD", "OPTIONS"} and not lives_somewhere(request.user):
            raise PermissionDenied(MOVED_OUT)
        return view(request, *args, **kwargs)

    return residing_only


def held_anywhere(user: User) -> set[str]:
    """The capabilities the user holds by role at any property: what the navigation offers."""
    roles = roles_anywhere(user)
    return {name for name, held in CAPABILITIES.items() if roles & held.roles}


def properties_with(user: User, capability: str) -> QuerySet[Property]:
    """The properties where the user holds the capability by role."""
    if not user.is_authenticated:
        return Property.objects.none()
    if user.is_superuser:
        return Property.objects.all()
    roles = CAPABILITIES[capability].roles
    return Property.objects.filter(memberships__user=user, memberships__role__in=roles).distinct()


def properties_for(user: User) -> QuerySet[Property]:
    """Properties a staff member works at (all of them for a superuser)."""
    return properties_with(user, "resident.read")


def home_property(user: User) -> Property | None:
    """Where the user works, else lives: the clock of their pages (one query a request)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Property.objects.order_by("pk").first()
    works = Membership.objects.filter(user=user, property=OuterRef("pk"))
    lives = Resident.objects.filter(user=user, property=OuterRef("pk"))
    prop = (
        Property.objects.filter(Exists(works) | Exists(lives))
        .annotate(works_here=Exists(works))
        .order_by("-works_here", "pk")
        .first()
    )
    user._frontdesk_is_staff = prop is not None and prop.works_here
    return prop


def staff_holding(
    property_id: int, capability: str, *, department_id: int | None = None
) -> QuerySet[User]:
    """The people who hold the capability by role at a property (optionally in one department):
    who is told, who may be chosen."""
    return staff_with_roles(property_id, roles_with(capability), department_id=department_id)


def staff_with_roles(
    property_id: int, roles, *, department_id: int | None = None
) -> QuerySet[User]:
    memberships = Membership.objects.filter(property_id=property_id, role__in=roles)
    if department_id is not None:
        memberships = memberships.filter(department_id=department_id)
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by("pk")


def memberships_with_roles(property_ids, roles) -> list[Membership]:
    """The active staff with one of the roles at any of the properties, in one query."""
    held = Membership.objects.filter(property_id__in=list(property_ids), role__in=roles)
    held = held.filter(user__is_active=True).select_related("user")
    return list(held.order_by("property_id", "user_id", "pk"))


def staff_with_roles_at(property_ids, roles) -> dict[int, list[User]]:
    """staff_with_roles for many properties: each property's people, once each, by pk."""
    people: dict[int, dict[int, User]] = {}  # property → user pk → user
    for member in memberships_with_roles(property_ids, roles):
        people.setdefault(member.property_id, {}).setdefault(member.user_id, member.user)
    return {property_id: list(users.values()) for property_id, users in people.items()}


def works_at(user: User, property_id: int) -> bool:
    return bool(roles_at(user, property_id))


def in_department(user: User, property_id: int, department_id: int) -> bool:
    """Whether the user works in that department at that property (any role)."""
    if not user.is_authenticated:
        return False
    return _memberships(user).filter(property_id=property_id, department_id=department_id).exists()


def manages_department(user: User, property_id: int, department_id: int | None) -> bool:
    """A department manager of that department, or one with no department named (who
    manages every department of the property)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    managers = _memberships(user).filter(property_id=property_id, role=DEPT_MANAGER)
    if department_id is None:
        return managers.exists()
    return managers.filter(Q(department_id=department_id) | Q(department__isnull=True)).exists()


# --- scopes: the records each page and endpoint starts from --------------------------------------


def current_residencies(user: User) -> QuerySet[Resident]:
    """The user's resident records not moved out: where they live now."""
    return Resident.objects.filter(user=user, moved_out_on__isnull=True)


def lives_somewhere(user: User) -> bool:
    return current_residencies(user).exists()


def current_units(user: User) -> QuerySet[Unit]:
    return Unit.objects.filter(Exists(current_residencies(user).filter(units=OuterRef("pk"))))


def residents_for(user: User) -> QuerySet[Resident]:
    if not user.is_authenticated:
        return Resident.objects.none()
    if is_staff_member(user):
        return Resident.objects.filter(property__in=properties_for(user))
    return Resident.objects.filter(user=user)


def units_for(user: User) -> QuerySet[Unit]:
    """Units a user may file for and see the current records of: a staff member's properties',
    a resident's current ones (none after moving out)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if is_staff_member(user):
        return Unit.objects.filter(building__property__in=properties_for(user))
    return current_units(user)


def _since_moving_in(user: User, day: str) -> Exists:
    """The record's unit is one the user lives in now, and `day` (the record's date) falls on
    or after they moved in: the previous occupants' records stay theirs."""
    return Exists(
        current_residencies(user).filter(units=OuterRef("unit_id"), move_in_date__lte=OuterRef(day))
    )


def records_for(user: User, model, capability: str, *, filed_by: str, day: str) -> QuerySet:
    """A property record (with `property` and `unit`) the user may read: staff by the
    capability; a resident the ones of the units they live in now dated (`day`) since they
    moved in, and the ones they filed or paid themselves through `filed_by` (the field naming
    the resident), which stay theirs after moving out."""
    if not user.is_authenticated:
        return model.objects.none()
    if is_staff_member(user):
        return model.objects.filter(property__in=properties_with(user, capability))
    return model.objects.filter(_since_moving_in(user, day) | Q(**{f"{filed_by}__user": user}))


def desk_records(user: User, model, capability: str) -> QuerySet:
    """One kind of the desk's records (visitors, parcels, keys...): of the properties where
    the user holds the capability."""
    return model.objects.filter(property__in=properties_with(user, capability))


def messages_for(user: User):
    """Phone messages: the desk's, at its properties; anyone else's, the ones for them (by
    name, for a department they work in at that property, or for their resident record)."""
    PhoneMessage = apps.get_model("frontdesk", "PhoneMessage")
    if not user.is_authenticated:
        return PhoneMessage.objects.none()
    departments = _memberships(user).filter(
        department__isnull=False, property_id=OuterRef("property_id")
    )
    return PhoneMessage.objects.filter(
        Q(property__in=properties_with(user, "message.read"))
        | Q(for_user=user)
        | Q(Exists(departments.filter(department_id=OuterRef("for_department_id"))))
        | Q(for_user__isnull=True, for_department__isnull=True, for_resident__user=user)
    )


def repairs_for(user: User):
    """Repair orders: staff see their properties'; a resident the orders of the units they live
    in now received since they moved in, and the ones they reported (after moving out, those
    only)."""
    RepairOrder = apps.get_model("tickets", "RepairOrder")

    return records_for(
        user, RepairOrder, "repair.read", filed_by="resident", day="received_at__date"
    )


def repairs_for_engineer(user: User):
    """An engineer's orders: at the properties where they are an engineer, dispatched to them
    by name, or to their department with no engineer named (any of them may take it)."""
    RepairOrder = apps.get_model("tickets", "RepairOrder")

    memberships = _memberships(user).filter(role__in=roles_with("repair.work"))
    departments = memberships.filter(department__isnull=False).values("department_id")
    return RepairOrder.objects.filter(
        Q(engineer=user) | Q(engineer__isnull=True, department_id__in=departments),
        property_id__in=memberships.values("property_id"),
    )


def complaints_for(user: User):
    """Complaints: staff see their properties'; a resident sees the ones they made."""
    Complaint = apps.get_model("tickets", "Complaint")

    if not user.is_authenticated:
        return Complaint.objects.none()
    if is_staff_member(user):
        return Complaint.objects.filter(property__in=properties_for(user))
    return Complaint.objects.filter(resident__user=user)


def complaints_for_department(user: User):
    """The department's own list: complaints sent to a department the user works in, and for
    a department manager with no department named, every department's at that property."""
    Complaint = apps.get_model("tickets", "Complaint")

    memberships = _memberships(user)
    mine = memberships.filter(department__isnull=False)
    managers = memberships.filter(role=DEPT_MANAGER, department__isnull=True)
    return Complaint.objects.filter(
        Q(department_id__in=mine.values("department_id"))
        | Q(department__isnull=False, property_id__in=managers.values("property_id"))
    )


def fee_notices_for(user: User):
    """Fee notices: the staff's properties'; a resident's, of the units they live in now due
    since they moved in, and the ones for a period before they moved out of a unit."""
    FeeNotice = apps.get_model("billing", "FeeNotice")

    if not user.is_authenticated:
        return FeeNotice.objects.none()
    if is_staff_member(user):
        return FeeNotice.objects.filter(property__in=properties_with(user, "fee_notice.read"))
    lived = Resident.objects.filter(
        user=user, units=OuterRef("unit_id"), moved_out_on__gt=OuterRef("period")
    )
    return FeeNotice.objects.filter(_since_moving_in(user, "due_date") | Exists(lived))


def payments_for(user: User):
    """Fee payments: the cashiers' properties'; a resident's, of the units they live in now
    since they moved in, and their own."""
    Payment = apps.get_model("billing", "Payment")

    return records_for(user, Payment, "payment.read", filed_by="resident", day="received_at__date")
