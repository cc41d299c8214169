"""The apps' imports run one way: the core (frontdesk) at the bottom, repairs and complaints
(tickets) and billing above it, callbacks (visits) above them, the figures (reports) on top.
Imports are read with ast, those inside functions included. The project's wiring (the root
URLconf, settings, the Celery app) sits above everything and may import anything.

KNOWN_UPWARD lists the edges that still point the wrong way; they are the layout's remaining
work. A new one fails this test, and so does one removed without being crossed off here."""

import ast
from pathlib import Path

from django.conf import settings

LAYERS = {"frontdesk": 0, "tickets": 1, "billing": 1, "visits": 2, "reports": 3}
WIRING = {
    "frontdesk.urls",
    "frontdesk.settings",
    "frontdesk.settings_production",
    "frontdesk.celery",
}

KNOWN_UPWARD = {
    ("billing.services", "tickets.models"),
    ("billing.services", "visits.models"),
    ("frontdesk.caller_card", "billing.services"),
    ("frontdesk.caller_card", "tickets.models"),
    ("frontdesk.caller_card", "visits.models"),
    ("frontdesk.desk_services", "billing.models"),
    ("frontdesk.desk_services", "tickets.models"),
    ("frontdesk.desk_services", "visits.models"),
    ("frontdesk.management.commands.seed_demo", "billing.models"),
    ("frontdesk.management.commands.seed_demo", "billing.services"),
    ("frontdesk.management.commands.seed_demo", "tickets"),
    ("frontdesk.management.commands.seed_demo", "tickets.complaint_services"),
    ("frontdesk.management.commands.seed_demo", "tickets.models"),
    ("frontdesk.management.commands.seed_demo", "tickets.services"),
    ("frontdesk.queries", "billing.payment_queries"),
    ("frontdesk.queries", "tickets.complaint_queries"),
    ("frontdesk.views", "tickets"),
    ("frontdesk.views", "tickets.queries"),
    ("tickets.complaint_api", "visits.models"),
    ("tickets.complaint_queries", "visits.models"),
    ("tickets.complaint_register_queries", "visits.models"),
    ("tickets.complaint_services", "visits.models"),
    ("tickets.complaint_views", "visits.views"),
    ("tickets.queries", "visits.models"),
    ("tickets.services", "billing.models"),
    ("tickets.services", "visits.services"),
}


def modules() -> dict[str, Path]:
    base = Path(settings.BASE_DIR)
    found = {}
    for app in LAYERS:
        for path in (base / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(base).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, anywhere in it."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
    return targets & known


def test_no_import_points_up_or_across_but_the_known_ones():
    found = modules()
    wrong = set()
    for name, path in found.items():
        if name in WIRING:
            continue
        for target in imports(path, set(found)) - {name}:
            here, there = name.split(".")[0], target.split(".")[0]
            if here != there and LAYERS[there] >= LAYERS[here]:
                wrong.add((name, target))

    assert sorted(wrong - KNOWN_UPWARD) == [], "a new import points up or across"
    assert sorted(KNOWN_UPWARD - wrong) == [], "fixed: cross it off KNOWN_UPWARD"
