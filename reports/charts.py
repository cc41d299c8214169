"""Small charts drawn on the server as inline SVG: no JavaScript, no chart library, readable in
print. Each chart is an image to assistive technology (role="img") with its numbers said in its
aria-label and <title>; the same numbers are always in an HTML table beside it.

Everything written into the SVG is escaped here; the functions return safe markup."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

OK, BAD, NEUTRAL, PAST, TARGET = "#1a7f37", "#c62828", "#2f6db5", "#9aa4b2", "#111"
FONT = 'font-family="system-ui, sans-serif" font-size="10"'


def _svg(width: int, height: int, label: str, body: str) -> SafeString:
    label = escape(label)
    return mark_safe(  # noqa: S308 - every text put in is escaped above or by the callers
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{label}</title>{body}</svg>'
    )


def _num(value) -> str:
    return f"{float(value):.1f}"


def figure_bars(figure) -> SafeString:
    """Two bars, this period and the previous one, against the target (a black line). A rate
    is drawn on 0-100%; a count on 0 to the larger of the two (at least 1)."""
    width, height, left = 180, 38, 46
    span = width - left - 6
    current, previous = figure.value, figure.previous_value
    if figure.kind == "rate":
        top = Decimal(1)
    else:
        top = max(current or 0, previous or 0, Decimal(1))

    def bar(value, y, colour, text) -> str:
        length = 0 if value is None else span * float(min(value, top) / top)
        return (
            f'<text x="0" y="{y + 9}" {FONT} fill="#444">{escape(text)}</text>'
            f'<rect x="{left}" y="{y}" width="{span}" height="12" fill="#eef1f5"/>'
            f'<rect x="{left}" y="{y}" width="{_num(length)}" height="12" fill="{colour}"/>'
        )

    meets = figure.meets_target
    colour = NEUTRAL if meets is None else (OK if meets else BAD)
    body = bar(current, 4, colour, _("now")) + bar(previous, 21, PAST, _("before"))
    if figure.kind == "rate":
        x = left + span * float(figure.target / top)
        body += f'<line x1="{_num(x)}" y1="1" x2="{_num(x)}" y2="37" stroke="{TARGET}" stroke-width="1.5"/>'
    label = _("%(figure)s: %(value)s, target %(target)s, previous period %(previous)s") % {
        "figure": figure.label,
        "value": figure.value_shown,
        "target": figure.target_shown,
        "previous": figure.previous_shown,
    }
    return _svg(width, height, label, body)


def breakdown_bars(rows, *, title: str, limit: int = 12) -> SafeString:
    """Horizontal bars of the counts of a breakdown, largest first (at most ``limit``)."""
    rows = list(rows)[:limit]
    width, row_height, left = 360, 18, 130
    height = max(row_height * len(rows), row_height) + 4
    top = max([r.count for r in rows] or [1]) or 1
    span = width - left - 40
    body = []
    for i, row in enumerate(rows):
        y = 2 + i * row_height
        length = span * row.count / top
        name = row.label if len(row.label) <= 18 else row.label[:17] + "…"
        body.append(
            f'<text x="0" y="{y + 12}" {FONT} fill="#333">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{_num(length)}" height="12" fill="{NEUTRAL}"/>'
            f'<text x="{_num(left + length + 4)}" y="{y + 12}" {FONT} fill="#333">{row.count}</text>'
        )
    said = "; ".join(f"{r.label} {r.count}" for r in rows) or _("nothing")
    return _svg(width, height, f"{title}: {said}", "".join(body))


def trend_chart(buckets, *, title: str) -> SafeString:
    """Complaints and repairs per week or month as paired bars, and satisfaction as a line
    over them (its own 0-100% scale, a dot where there were calls)."""
    buckets = list(buckets)
    width, height, bottom, left = 640, 170, 24, 30
    plot_h = height - bottom - 8
    n = max(len(buckets), 1)
    slot = (width - left) / n
    bar_w = max(min(slot / 3, 18), 2)
    top = max([max(b.complaints, b.repairs) for b in buckets] or [1]) or 1
    body = [
        f'<line x1="{left}" y1="{8 + plot_h}" x2="{width}" y2="{8 + plot_h}" stroke="#999"/>',
        f'<text x="0" y="14" {FONT} fill="#444">{top}</text>',
        f'<text x="0" y="{8 + plot_h}" {FONT} fill="#444">0</text>',
    ]
    points = []
    for i, b in enumerate(buckets):
        x0 = left + i * slot + (slot - 2 * bar_w) / 2
        for j, (count, colour) in enumerate(((b.complaints, BAD), (b.repairs, NEUTRAL))):
            h = plot_h * count / top
            body.append(
                f'<rect x="{_num(x0 + j * bar_w)}" y="{_num(8 + plot_h - h)}" '
                f'width="{_num(bar_w)}" height="{_num(h)}" fill="{colour}"/>'
            )
        if len(buckets) <= 16 or i % max(len(buckets) // 12, 1) == 0:
            body.append(
                f'<text x="{_num(left + i * slot + slot / 2)}" y="{height - 8}" {FONT} '
                f'text-anchor="middle" fill="#444">{escape(b.label)}</text>'
            )
        value = b.satisfaction.value
        if value is not None:
            points.append((left + i * slot + slot / 2, 8 + plot_h * (1 - float(value))))
    if points:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{OK}" stroke-width="2"/>')
        body += [f'<circle cx="{_num(x)}" cy="{_num(y)}" r="3" fill="{OK}"/>' for x, y in points]
    said = "; ".join(
        _("%(bucket)s: %(complaints)d complaints, %(repairs)d repairs, satisfaction %(sat)s")
        % {
            "bucket": b.label,
            "complaints": b.complaints,
            "repairs": b.repairs,
            "sat": b.satisfaction_shown,
        }
        for b in buckets
    )
    return _svg(width, height, f"{title}: {said}", "".join(body))
