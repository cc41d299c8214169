"""The README's "who may do what" table is the policy's: generated from CAPABILITIES, never
edited by hand."""

import textwrap
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from frontdesk.models import Role
from frontdesk.policy import CAPABILITIES
from frontdesk.policy_table import END, RESIDENTS, START, WIDTH, render, split

README = Path(__file__).resolve().parents[2] / "README.md"
FIX = "run `python manage.py policy_table` and paste its output between the markers in README.md"


def readme_block() -> str:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1, "README.md needs one pair of markers"
    return text.split(START, 1)[1].split(END, 1)[0]


def table_rows() -> dict[str, dict[str, str]]:
    """Each row of the rendered table by capability name, cells by column heading."""
    lines = [line for line in render().splitlines() if line.startswith("|")]
    headings = [cell.strip() for cell in lines[0].strip("|").split(" | ")]
    rows = {}
    for line in lines[2:]:
        cells = dict(zip(headings, (c.strip() for c in line[2:-2].split(" | ")), strict=True))
        rows[f"{cells['record'].strip('`')}.{cells['action'].strip('`')}"] = cells
    return rows


def test_the_readme_carries_the_table_generated_from_the_policy():
    assert readme_block() == f"\n\n{render()}\n\n", FIX


def test_the_command_prints_the_table():
    out = StringIO()
    call_command("policy_table", stdout=out)
    assert out.getvalue() == f"{render()}\n"


def test_the_rows_say_what_the_policy_says():
    rows = table_rows()
    assert list(rows) == sorted(CAPABILITIES, key=lambda name: _kind_order(name)), (
        "one row per capability, each record kind's rows together"
    )
    finance, engineer = "Finance clerk", "Engineer"
    assert rows["repair.pay"][finance] == "✓"
    assert rows["repair.pay"][engineer] == ""
    assert rows["repair.work"][engineer] == "✓"
    assert rows["repair.work"]["Front-desk clerk"] == ""
    assert rows["message.read"]["also"] == "whoever it is for"
    assert rows["message.read"]["Front-desk clerk"] == "✓"
    assert rows["callback.overdue.notice"]["Supervisor"] == "✓"  # a notice: who is told
    assert rows["escalation.acknowledge"]["also"] == "the person it was escalated to"
    assert not any(rows["escalation.acknowledge"][str(r.label)] for r in Role)


def test_every_cell_matches_its_capability():
    labels = {value: str(Role(value).label) for value in Role.values}
    for name, cells in table_rows().items():
        held = CAPABILITIES[name]
        assert (cells["record"].strip("`"), cells["action"].strip("`")) == split(name)
        for value, label in labels.items():
            assert cells[label] == ("✓" if value in held.roles else ""), (name, value)
        assert cells["also"] == held.rule_text, name
        assert held.rule is None or held.rule_text, f"{name}'s object rule needs its rule_text"


def test_the_residents_paragraph_follows_the_table():
    assert render().endswith(f"\n\n{textwrap.fill(RESIDENTS, WIDTH)}")
    assert "live in now" in RESIDENTS and "moved out" in RESIDENTS


def _kind_order(name: str) -> tuple[int, int]:
    kinds = list(dict.fromkeys(split(n)[0] for n in CAPABILITIES))
    return kinds.index(split(name)[0]), list(CAPABILITIES).index(name)
