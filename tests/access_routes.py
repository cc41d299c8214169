"""The access matrix's table: each route, the capability it needs, the record it is tried on."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass
class World:
    people: dict = field(default_factory=dict)
    r: dict = field(default_factory=dict)  # the records, by name


# --- what each route is, and who it is for ----------------------------------------------------

Args = Callable[[World], list]


@dataclass(frozen=True)
class Route:
    """`cap`: the capability staff need, tried on `record` (None: any staff member); `kinds`:
    the residents it is for (portal routes and the API); `shows`: text an allowed person sees
    (lists); `api`: a REST route (anonymous gets 401/403 instead of the login page)."""

    method: str = "get"
    args: Args = lambda w: []
    cap: str | None = None
    record: str = "property"
    staff: bool = True
    kinds: tuple = ()
    shows: Callable[[World], str] | None = None
    api: bool = False
    public: bool = False


def pk(name) -> Args:
    return lambda w: [w.r[name].pk]


def page(cap=None, record="property", args=None, **kw):
    return Route(cap=cap, record=record, args=args or pk("property"), **kw)


def post(cap=None, record="property", args=lambda w: [], **kw):
    return Route(method="post", cap=cap, record=record, args=args, **kw)


def portal(kinds, args=lambda w: [], method="get", shows=None):
    return Route(method=method, args=args, staff=False, kinds=tuple(kinds), shows=shows)


NONE = lambda w: []  # noqa: E731
LIVES = ("current",)
ANY_RESIDENT = ("current", "moved_out", "neighbour", "outsider")
LIVE_SOMEWHERE = ("current", "neighbour", "outsider")  # who may file something new
REPAIR_NUMBER = lambda w: w.r["repair"].number  # noqa: E731


def api(cap, record, *, method="get", args=None, kinds=(), shows=None):
    return Route(
        method=method,
        args=args if args is not None else pk(record),
        cap=cap,
        record=record,
        kinds=kinds,
        shows=shows,
        api=True,
    )


def api_list(cap, record, kinds=()):
    return Route(
        args=NONE,
        cap=cap,
        record=record,
        kinds=kinds,
        api=True,
        shows=lambda w: f'"id":{w.r[record].pk},',
    )


PUBLIC = Route(public=True)

ROUTES: dict[str, Route] = {
    "home": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "health": PUBLIC,
    "set_language": PUBLIC,
    "portal_activate": PUBLIC,
    "api_token": PUBLIC,
    "api_schema": PUBLIC,
    "api_docs": PUBLIC,
    "api-root": PUBLIC,
    "notices": PUBLIC,  # everyone's own notices
    "notice_open": PUBLIC,  # one of one's own: another's is not found (tested with notices)
    "portal": PUBLIC,
    # residents
    "lookup": page(args=NONE),
    "resident_new": page("resident.edit", args=NONE),
    "resident_card": page("resident.read", "resident", pk("resident")),
    "resident_edit": page("resident.edit", "resident", pk("resident")),
    "resident_phones": page("resident.phone.full", "resident", pk("resident")),
    "resident_invite": post("resident.invite", "resident", pk("resident")),
    "resident_move_out": post("resident.move_out", "resident", pk("resident")),
    "holidays": page("holiday.edit", args=lambda w: [w.r["property"].pk, 2026]),
    "caller_card": page(args=NONE),
    # repairs at the desk
    "repair_list": page("repair.read", args=NONE, shows=REPAIR_NUMBER),
    "repair_new": page("repair.take", args=NONE),
    "repair_detail": page("repair.read", "repair", pk("repair")),
    "repair_print": page("repair.read", "repair", pk("repair")),
    "repair_quote": post("repair.take", "repair", pk("repair")),
    "repair_agree": post("repair.take", "repair", pk("repair")),
    "repair_dispatch": post("repair.take", "repair", pk("repair")),
    "repair_cancel": post("repair.take", "repair", pk("repair")),
    "repair_reopen": post("repair.take", "repair", pk("repair")),
    "repair_pay": post("repair.pay", "repair", pk("repair")),
    "repair_sign_off": post("repair.take", "repair", pk("repair")),
    "repair_close": post("repair.take", "repair", pk("repair")),
    "repair_photo": Route(
        args=lambda w: [w.r["repair"].pk, w.r["photo"].pk],
        cap="repair.read",
        record="repair",
        kinds=LIVES,
    ),
    "repair_signature": Route(
        args=pk("signed_repair"), cap="repair.read", record="signed_repair", kinds=LIVES
    ),
    # the engineer's pages
    "engineer_orders": page("repair.work", args=NONE),
    "engineer_order": page("repair.work", "repair", pk("signed_repair")),
    "engineer_order_accept": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_materials": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_complete": post("repair.work", "repair", pk("signed_repair")),
    "engineer_order_sign_off": post("repair.work", "repair", pk("signed_repair")),
    # the resident's repairs
    "portal_repairs": portal(LIVES, shows=REPAIR_NUMBER),
    "portal_repair_new": portal(ANY_RESIDENT),
    "portal_repair": portal(LIVES, pk("repair")),
    "portal_repair_agree": portal(LIVES, pk("repair"), "post"),
    "portal_repair_confirm": portal(LIVES, pk("repair"), "post"),
    # complaints
    "complaint_register": page("complaint.read", args=NONE),
    "complaint_register_xlsx": page("complaint.read", args=NONE),
    "complaint_register_csv": page("complaint.read", args=NONE),
    "complaint_register_print": page("complaint.read", args=NONE),
    "complaint_new": page("complaint.take", args=NONE),
    "complaint_department": page(
        "complaint.department", "complaint", NONE, shows=lambda w: w.r["complaint"].number
    ),
    "complaint_escalations": page("escalation.read", args=NONE),
    "complaint_escalation_acknowledge": post(
        "escalation.acknowledge", "escalation", pk("escalation")
    ),
    "complaint_detail": page("complaint.read", "complaint", pk("complaint")),
    "complaint_dispatch": post("complaint.dispatch", "complaint", pk("complaint")),
    "complaint_expect": post("complaint.dispatch", "complaint", pk("complaint")),
    "complaint_action": post("complaint.resolve", "complaint", pk("complaint")),
    "complaint_cannot_solve": post("complaint.cannot_solve", "complaint", pk("complaint")),
    "complaint_resolve": post("complaint.resolve", "complaint", pk("complaint")),
    "complaint_reply": post("complaint.reply", "complaint", pk("complaint")),
    "complaint_corrective": post("complaint.corrective", "complaint", pk("complaint")),
    "complaint_archive": post("complaint.archive", "complaint", pk("complaint")),
    "complaint_letter": page("complaint.read", "complaint", pk("complaint")),
    "complaint_letter_print": page("complaint.read", "complaint", pk("complaint")),
    "complaint_letter_pdf": page("complaint.read", "complaint", pk("complaint")),
    "portal_complaints": portal(ANY_RESIDENT),
    "portal_complaint_new": portal(ANY_RESIDENT),
    "portal_complaint": portal(LIVES, pk("complaint")),
    # callbacks
    "callback_queue": page("callback.work", args=NONE),
    "callback_queue_rows": page("callback.work", args=NONE),
    "callback_flagged": page("callback.supervise", args=NONE),
    "callback_record": page("callback.work", "callback", pk("callback")),
    "callback_close": post("callback.supervise", "callback", pk("callback")),
    # fees and payments
    "billing_pay": page("payment.take", args=pk("unit")),
    "billing_credit_apply": post("payment.take", args=pk("unit")),
    "billing_receipt": page("payment.read", "payment", pk("payment")),
    "billing_receipt_print": page("payment.read", "payment", pk("payment")),
    "billing_adjustment_request": post("payment.take", "payment", pk("payment")),
    "billing_approvals": page("payment.approve", args=NONE),
    "billing_adjustment_decide": post("payment.approve", "payment", pk("adjustment")),
    "billing_notices": page("fee_notice.read", args=NONE),
    "billing_notice": page("fee_notice.read", "notice", pk("notice")),
    "billing_notice_batch": page(
        "fee_notice.read", args=lambda w: [w.r["unit"].building_id, "2026-11"]
    ),
    "billing_notice_batch_pdf": page(
        "fee_notice.read", args=lambda w: [w.r["unit"].building_id, "2026-11"]
    ),
    "billing_generate": page("fees.generate", args=NONE),
    "billing_dunning": page("fee_notice.read", args=NONE),
    "billing_dunning_letter": page("fee_notice.read", args=pk("unit")),
    "billing_collection": page("fee_notice.read", args=NONE),
    "billing_import": page("fees.import", args=NONE),
    "portal_fees": portal(ANY_RESIDENT),
    "portal_notice": portal(("current",), pk("notice")),
    "portal_receipt": portal(("current",), pk("payment")),
    # the desk's registers
    "desk_visitors": page("visitor.read", args=NONE),
    "desk_visitor_new": post("visitor.write"),
    "desk_visitor_arrive": post("visitor.write", "visitor", pk("visitor")),
    "desk_visitor_leave": post("visitor.write", "visitor", pk("visitor")),
    "desk_messages": page("message.read", args=NONE),
    "desk_message_new": post("message.write"),
    "my_messages": page(args=NONE),
    "desk_message": page("message.read", "message", pk("message")),
    "desk_message_read": post("message.read", "message", pk("message")),
    "desk_parcels": page("parcel.read", args=NONE),
    "desk_parcel_new": post("parcel.write"),
    "desk_parcel_hand_over": post("parcel.write", "parcel", pk("parcel")),
    "desk_parcel_signature": page("parcel.read", "collected", pk("collected")),
    "desk_keys": page("key.read", args=NONE),
    "desk_key_new": post("key.write"),
    "desk_key": page("key.read", "key", pk("key")),
    "desk_key_hand_out": post("key.write", "key", pk("key")),
    "desk_key_return": post("key.write", "key", pk("key")),
    "desk_key_signature": page(
        "key.read", "key", lambda w: [w.r["key"].pk, w.r["key_movement"].pk]
    ),
    "desk_lost": page("lost_item.read", args=NONE),
    "desk_lost_new": post("lost_item.write"),
    "desk_lost_claim": post("lost_item.write", "lost_item", pk("lost_item")),
    "desk_passes": page("pass.read", args=NONE),
    "desk_pass_new": post("pass.write"),
    "desk_pass_decide": post("pass.write", "pass", pk("pass")),
    "desk_pass_release": post("pass.release", "pass", pk("pass")),
    "desk_decoration": page("decoration.read", args=NONE),
    "desk_decoration_new": post("decoration.write"),
    "desk_decoration_detail": page("decoration.read", "decoration", pk("decoration")),
    "desk_decoration_review": post("decoration.write", "decoration", pk("decoration")),
    "desk_decoration_permit": post("decoration.write", "decoration", pk("decoration")),
    "desk_decoration_rectify": post("decoration.write", "decoration", pk("decoration")),
    "desk_rectification_resolve": post(
        "decoration.write",
        "decoration",
        lambda w: [w.r["decoration"].pk, w.r["rectification"].pk],
    ),
    "desk_decoration_finish": post("decoration.write", "decoration", pk("decoration")),
    "desk_handover": page("handover.read", args=NONE),
    "desk_handover_record": post("handover.write"),
    "desk_handover_take_over": post("handover.write", "handover", pk("handover")),
    "desk_ledger": page("ledger.read", args=NONE),
    "desk_ledger_sign": post("ledger.sign"),
    "portal_day": portal(ANY_RESIDENT),
    "portal_day_visitor": portal(LIVE_SOMEWHERE, method="post"),
    "portal_pass_decide": portal(LIVES, pk("pass"), "post"),
    "portal_message_read": portal(LIVES, pk("message"), "post"),
    "portal_decoration_apply": portal(LIVE_SOMEWHERE, method="post"),
    "portal_pass": portal(LIVES, pk("pass")),
    # the supervisor's figures
    "reports_dashboard": page("report.read", args=NONE),
    "reports_dashboard_xlsx": page("report.read", args=NONE),
    "reports_dashboard_csv": page("report.read", args=NONE),
    "reports_drill": page("report.read", args=lambda w: ["satisfaction"]),
    "reports_monthly_pdf": page("report.read", args=lambda w: ["2026-10"]),
    "reports_review": page("review.sign", args=NONE),
    "reports_review_sign": post("review.sign"),
    # the API: the same capabilities on the same records
    "resident-list": api_list("resident.read", "resident", kinds=("current",)),
    "resident-detail": api("resident.read", "resident", kinds=("current",)),
    "unit-list": api_list("resident.read", "unit", kinds=("current",)),
    "unit-detail": api("resident.read", "unit", kinds=("current",)),
    "repair-list": api_list("repair.read", "repair", kinds=LIVES),
    "repair-detail": api("repair.read", "repair", kinds=LIVES),
    "repair-accept": api("repair.work", "repair", method="post"),
    "repair-agree": api("repair.agree", "repair", method="post", kinds=LIVES),
    "repair-cancel": api("repair.take", "repair", method="post"),
    "repair-close": api("repair.take", "repair", method="post"),
    "repair-complete": api("repair.work", "repair", method="post"),
    "repair-dispatch-order": api("repair.take", "repair", method="post"),
    "repair-pay": api("repair.pay", "repair", method="post"),
    "repair-quote": api("repair.take", "repair", method="post"),
    "repair-reopen": api("repair.take", "repair", method="post"),
    "repair-sign-off": api("repair.sign_off", "repair", method="post", kinds=LIVES),
    "complaint-list": api_list("complaint.read", "complaint", kinds=LIVES),
    "complaint-detail": api("complaint.read", "complaint", kinds=LIVES),
    "complaint-acknowledge": api(
        "escalation.acknowledge",
        "escalation",
        method="post",
        args=lambda w: [w.r["complaint"].pk, w.r["escalation"].pk],
    ),
    "complaint-archive": api("complaint.archive", "complaint", method="post"),
    "complaint-cannot-solve": api("complaint.cannot_solve", "complaint", method="post"),
    "complaint-corrective": api("complaint.corrective", "complaint", method="post"),
    "complaint-dispatch": api("complaint.dispatch", "complaint", method="post"),
    "complaint-expect": api("complaint.dispatch", "complaint", method="post"),
    "complaint-issue-letter": api("complaint.reply", "complaint", method="post"),
    "complaint-letter": api("complaint.reply", "complaint", method="post"),
    "complaint-action": api("complaint.resolve", "complaint", method="post"),
    "complaint-reply": api("complaint.reply", "complaint", method="post"),
    "complaint-resolve": api("complaint.resolve", "complaint", method="post"),
    "fee-notice-list": api_list("fee_notice.read", "notice", kinds=("current",)),
    "fee-notice-detail": api("fee_notice.read", "notice", kinds=("current",)),
    "payment-list": api_list("payment.read", "payment", kinds=("current",)),
    "payment-detail": api("payment.read", "payment", kinds=("current",)),
    "collection-rate-list": api("fee_notice.read", "property", args=NONE),
    "visitor-list": api_list("visitor.read", "visitor"),
    "visitor-detail": api("visitor.read", "visitor"),
    "visitor-arrive": api("visitor.write", "visitor", method="post"),
    "visitor-leave": api("visitor.write", "visitor", method="post"),
    "phone-message-list": api_list("message.read", "message", kinds=LIVES),
    "phone-message-detail": api("message.read", "message", kinds=LIVES),
    "phone-message-read": api("message.read", "message", method="post", kinds=LIVES),
    "parcel-list": api_list("parcel.read", "parcel"),
    "parcel-detail": api("parcel.read", "parcel"),
    "parcel-hand-over": api("parcel.write", "parcel", method="post"),
    "key-list": api_list("key.read", "key"),
    "key-detail": api("key.read", "key"),
    "key-hand-out": api("key.write", "key", method="post"),
    "key-return": api("key.write", "key", method="post"),
    "lost-item-list": api_list("lost_item.read", "lost_item"),
    "lost-item-detail": api("lost_item.read", "lost_item"),
    "lost-item-claim": api("lost_item.write", "lost_item", method="post"),
    "release-pass-list": api_list("pass.read", "pass"),
    "release-pass-detail": api("pass.read", "pass"),
    "release-pass-decide": api("pass.write", "pass", method="post"),
    "release-pass-release": api("pass.release", "pass", method="post"),
    "decoration-list": api_list("decoration.read", "decoration"),
    "decoration-detail": api("decoration.read", "decoration"),
    "decoration-finish": api("decoration.write", "decoration", method="post"),
    "decoration-permit": api("decoration.write", "decoration", method="post"),
    "decoration-rectify": api("decoration.write", "decoration", method="post"),
    "decoration-resolve": api(
        "decoration.write",
        "decoration",
        method="post",
        args=lambda w: [w.r["decoration"].pk, w.r["rectification"].pk],
    ),
    "decoration-review": api("decoration.write", "decoration", method="post"),
    "handover-list": api_list("handover.read", "handover"),
    "handover-detail": api("handover.read", "handover"),
    "handover-take-over": api("handover.write", "handover", method="post"),
    "ledger-list": api_list("ledger.read", "ledger"),
    "ledger-sign": api("ledger.sign", "property", method="post", args=NONE),
    "ledger-detail": api("ledger.read", "ledger"),
    "dashboard-list": api("report.read", "property", args=NONE),
}


def route_names() -> list[str]:
    """Every named route of the project (the admin's own and format-suffix twins aside)."""

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace != "admin" and entry.name:
                yield entry.name

    return sorted(set(walk(get_resolver().url_patterns)))
