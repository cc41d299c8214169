"""The README's "who may do what" table, rendered from `frontdesk.policy.CAPABILITIES`.

One row per capability, grouped by record kind (the part of the name before the first dot) in
the order the policy first names each kind; one column per role; "also" gives the object rule
in words (who else may, given the record). Capabilities without a refusal say who is told or
shown something (their action name says which). Residents hold no role, so a fixed paragraph
under the table says what they reach. `python manage.py policy_table` prints it, and
tests/frontdesk/test_policy_table.py checks that the README carries exactly this text.
"""

from __future__ import annotations

import textwrap

from django.utils import translation

from frontdesk.models import Role
from frontdesk.policy import CAPABILITIES, Capability

START = "<!-- policy-table:start -->"
END = "<!-- policy-table:end -->"
HELD = "✓"
WIDTH = 95  # the README's prose is wrapped like this

RESIDENTS = (
    "Residents hold no role. In the portal they reach the units they live in now (a resident "
    "record not moved out): those units' repair orders, fee notices and payments, and they "
    "agree to a quote or sign work off only there. They also keep what they filed or paid "
    "themselves (their repair reports, complaints and payments) and the fee notices issued to "
    "a unit while they lived in it; once they have moved out, these can be read but no longer "
    "changed. A superuser holds every capability."
)


def split(name: str) -> tuple[str, str]:
    """("repair", "pay") for "repair.pay"; the action keeps any further dots."""
    record, _, action = name.partition(".")
    return record, action


def grouped(capabilities: dict[str, Capability]) -> list[tuple[str, str, Capability]]:
    """(record, action, capability), each record kind's rows together, in policy order."""
    kinds: dict[str, list[tuple[str, str, Capability]]] = {}
    for name, held in capabilities.items():
        record, action = split(name)
        kinds.setdefault(record, []).append((record, action, held))
    return [row for rows in kinds.values() for row in rows]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def render_table(capabilities: dict[str, Capability] | None = None) -> str:
    """The markdown table, role headings in English; no trailing newline."""
    capabilities = CAPABILITIES if capabilities is None else capabilities
    with translation.override("en"):
        headings = [str(Role(value).label) for value in Role.values]
    lines = [
        "| " + " | ".join(["record", "action", *headings, "also"]) + " |",
        "|" + "|".join(["---", "---", *[":-:"] * len(headings), "---"]) + "|",
    ]
    for record, action, held in grouped(capabilities):
        marks = [HELD if value in held.roles else "" for value in Role.values]
        cells = [f"`{record}`", f"`{action}`", *marks, _cell(held.rule_text)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(capabilities: dict[str, Capability] | None = None) -> str:
    """The table and the residents' paragraph: what the README carries between the markers."""
    return f"{render_table(capabilities)}\n\n{textwrap.fill(RESIDENTS, WIDTH)}"
