"""Who sees what, decided here and nowhere else.

Staff see the properties they hold a membership at, with what their roles there allow.
A resident sees their own resident records and units only. Every list, detail page and
API endpoint takes its queryset from these functions, so another property's object is
simply not found (404), never "forbidden".
"""

from django.db.models import Q, QuerySet

from frontdesk.models import Membership, Property, Resident, Role, Unit, User

# What each role may do at its property. Reading is open to every staff role there.
RESIDENT_EDITORS = {Role.CLERK, Role.ASSISTANT, Role.SUPERVISOR, Role.PROJECT_MANAGER}
PORTAL_ISSUERS = {Role.CLERK, Role.ASSISTANT, Role.SUPERVISOR}
HOLIDAY_EDITORS = {Role.SUPERVISOR, Role.PROJECT_MANAGER}
REPAIR_DESK = {Role.CLERK, Role.ASSISTANT, Role.SUPERVISOR, Role.PROJECT_MANAGER}
REPAIR_CASHIERS = REPAIR_DESK | {Role.FINANCE}
# The callback queue shows residents' full numbers: the desk only.
CALLBACK_DESK = REPAIR_DESK
CALLBACK_SUPERVISORS = {Role.SUPERVISOR, Role.PROJECT_MANAGER}
COMPLAINT_DESK = REPAIR_DESK
COMPLAINT_SUPERVISORS = CALLBACK_SUPERVISORS


def is_staff_member(user: User) -> bool:
    """Asked several times a request (decorator, layout, view): answered once per user object."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_frontdesk_is_staff"):
        user._frontdesk_is_staff = user.is_superuser or _memberships(user).exists()
    return user._frontdesk_is_staff


def is_resident(user: User) -> bool:
    return user.is_authenticated and not is_staff_member(user) and user.residencies.exists()


def _memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user)


def home_property(user: User) -> Property | None:
    """The property whose clock a user's pages show: where they work, or where they live."""
    if not user.is_authenticated:
        return None
    if is_staff_member(user):
        return properties_for(user).order_by("pk").first()
    return Property.objects.filter(residents__user=user).order_by("pk").first()


def properties_for(user: User) -> QuerySet[Property]:
    """Properties a staff member works at (all of them for a superuser)."""
    if not user.is_authenticated:
        return Property.objects.none()
    if user.is_superuser:
        return Property.objects.all()
    return Property.objects.filter(memberships__user=user).distinct()


def roles_at(user: User, property_id: int) -> set[str]:
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(_memberships(user).filter(property_id=property_id).values_list("role", flat=True))


def may(user: User, allowed: set[str], property_id: int) -> bool:
    return bool(roles_at(user, property_id) & set(allowed))


def properties_where(user: User, allowed: set[str]) -> QuerySet[Property]:
    """Properties at which the user holds one of the allowed roles."""
    if user.is_authenticated and user.is_superuser:
        return Property.objects.all()
    return Property.objects.filter(memberships__user=user, memberships__role__in=allowed).distinct()


def residents_for(user: User) -> QuerySet[Resident]:
    if not user.is_authenticated:
        return Resident.objects.none()
    if is_staff_member(user):
        return Resident.objects.filter(property__in=properties_for(user))
    return Resident.objects.filter(user=user)


def units_for(user: User) -> QuerySet[Unit]:
    if not user.is_authenticated:
        return Unit.objects.none()
    if is_staff_member(user):
        return Unit.objects.filter(building__property__in=properties_for(user))
    return Unit.objects.filter(residents__user=user).distinct()


def staff_with_roles(
    property_id: int, roles: set[str], *, department_id: int | None = None
) -> QuerySet[User]:
    """The people who hold one of the roles at a property (optionally in one department)."""
    memberships = Membership.objects.filter(property_id=property_id, role__in=roles)
    if department_id is not None:
        memberships = memberships.filter(department_id=department_id)
    return User.objects.filter(pk__in=memberships.values("user_id"), is_active=True).order_by("pk")


def repairs_for(user: User):
    """Repair orders: staff see their properties' orders; a resident sees the orders of their
    own units and the ones they reported."""
    from tickets.models import RepairOrder  # tickets builds on frontdesk: import when used

    if not user.is_authenticated:
        return RepairOrder.objects.none()
    if is_staff_member(user):
        return RepairOrder.objects.filter(property__in=properties_for(user))
    mine = Q(unit__residents__user=user) | Q(resident__user=user)
    return RepairOrder.objects.filter(pk__in=RepairOrder.objects.filter(mine).values("pk"))


def roles_anywhere(user: User) -> set[str]:
    """Every role the user holds at any property: what the navigation offers them."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Role.values)
    return set(_memberships(user).values_list("role", flat=True))


def repairs_for_engineer(user: User):
    """An engineer's orders: at the properties where they are an engineer, dispatched to them
    by name, or to their department with no engineer named (any of them may take it)."""
    from tickets.models import RepairOrder  # tickets builds on frontdesk: import when used

    memberships = Membership.objects.filter(user=user, role=Role.ENGINEER)
    departments = memberships.filter(department__isnull=False).values("department_id")
    return RepairOrder.objects.filter(
        Q(engineer=user) | Q(engineer__isnull=True, department_id__in=departments),
        property_id__in=memberships.values("property_id"),
    )


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
    managers = _memberships(user).filter(property_id=property_id, role=Role.DEPARTMENT_MANAGER)
    if department_id is None:
        return managers.exists()
    return managers.filter(Q(department_id=department_id) | Q(department__isnull=True)).exists()


def complaints_for(user: User):
    """Complaints: staff see their properties'; a resident sees the ones they made."""
    from tickets.models import Complaint  # tickets builds on frontdesk: import when used

    if not user.is_authenticated:
        return Complaint.objects.none()
    if is_staff_member(user):
        return Complaint.objects.filter(property__in=properties_for(user))
    return Complaint.objects.filter(resident__user=user)


def complaints_for_department(user: User):
    """The department's own list: complaints sent to a department the user works in, and for
    a department manager with no department named, every department's at that property."""
    from tickets.models import Complaint

    memberships = _memberships(user)
    mine = memberships.filter(department__isnull=False)
    managers = memberships.filter(role=Role.DEPARTMENT_MANAGER, department__isnull=True)
    return Complaint.objects.filter(
        Q(department_id__in=mine.values("department_id"))
        | Q(department__isnull=False, property_id__in=managers.values("property_id"))
    )
