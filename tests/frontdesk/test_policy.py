"""The policy is the one place that says who may do what: no role set anywhere else, and what
it withholds (full phone numbers) is withheld on every page and endpoint."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from frontdesk import policy
from tests.conftest import staff_at

APPS = ["frontdesk", "tickets", "visits", "billing", "reports"]
# The Role choices themselves, and the seeds that give each demo or bench account its role.
ALLOWED = {
    "frontdesk/policy.py",
    "frontdesk/models.py",
    "frontdesk/management/commands/seed_demo.py",
    "reports/bench/seed.py",
}


def _modules():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            relative = path.relative_to(base).as_posix()
            if "/migrations/" not in relative and relative not in ALLOWED:
                yield relative, ast.parse(path.read_text(encoding="utf-8"))


def _names_a_role(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Role"
    )


def test_no_role_set_and_no_role_check_outside_the_policy():
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            # A set naming a role, or a list of roles only (a row of account data may name one).
            if (isinstance(node, ast.Set) and any(map(_names_a_role, node.elts))) or (
                isinstance(node, ast.List | ast.Tuple)
                and len(node.elts) > 1
                and all(map(_names_a_role, node.elts))
            ):
                found.append(f"{path}:{node.lineno} a set of roles")
            if isinstance(node, ast.Compare) and any(
                _names_a_role(part) for part in [node.left, *node.comparators]
            ):
                found.append(f"{path}:{node.lineno} a role compared")
            if isinstance(node, ast.Attribute) and node.attr in {"roles_at", "roles_anywhere"}:
                found.append(f"{path}:{node.lineno} {node.attr}: ask the policy instead")

    assert found == []


def test_every_capability_is_held_by_known_roles_or_a_rule():
    for name, held in policy.CAPABILITIES.items():
        assert held.roles <= set(policy.STAFF), name
        assert held.roles or held.rule, f"{name}: nobody holds it"
        assert bool(held.rule) == bool(held.rule_text), f"{name}: say the rule in words"


@pytest.mark.parametrize("role", ["engineer", "finance", "department_manager"])
def test_full_numbers_are_withheld_from_who_does_not_work_the_desk(client, sunshine, lin, role):
    client.force_login(staff_at(sunshine, role))

    card = client.get(reverse("resident_card", args=[lin.pk])).content.decode()
    revealed = client.get(reverse("resident_phones", args=[lin.pk]))
    [listed] = client.get(reverse("resident-list")).json()["results"]
    shown = client.get(reverse("resident-detail", args=[lin.pk])).json()

    assert "13812345678" not in card and "138****5678" in card
    assert reverse("resident_phones", args=[lin.pk]) not in card
    assert revealed.status_code == 404
    assert listed["phones"][0]["number"] == shown["phones"][0]["number"] == "138****5678"


def test_the_desk_opens_the_full_number_on_purpose(clerk_client, lin):
    card = clerk_client.get(reverse("resident_card", args=[lin.pk])).content.decode()
    revealed = clerk_client.get(reverse("resident_phones", args=[lin.pk])).content.decode()
    shown = clerk_client.get(reverse("resident-detail", args=[lin.pk])).json()

    assert "13812345678" not in card and reverse("resident_phones", args=[lin.pk]) in card
    assert "13812345678" in revealed
    assert shown["phones"][0]["number"] == "13812345678"
