"""The import page: opening balances (期初欠费) and meter readings from a CSV or .xlsx file.
Checking is the default: it lists every row that would be refused and why, and what would be
made. "Import" writes the whole file or nothing (billing.import_apply). Finance, supervisors and
the project manager of the property use it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.import_apply import ImportRefused, import_rows
from billing.import_check import check_rows
from billing.import_parse import COLUMNS, FileProblem, Kind, read_upload
from frontdesk import policy
from frontdesk.views import staff_required

PREVIEW_ROWS = 200  # rows of "would be created" shown; every refused row is always shown
CHECK, IMPORT = "check", "import"


class ImportForm(forms.Form):
    property = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Property"), empty_label=None
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=Kind.choices,
        initial=Kind.OPENING,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A CSV file or an Excel .xlsx workbook, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, properties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = properties
        only = list(properties[:2])
        if len(only) == 1:
            self.fields["property"].initial = only[0].pk
            self.fields["property"].widget = forms.HiddenInput()


def _page(request, form, *, check=None, action=CHECK, status=200):
    return render(
        request,
        "billing/import.html",
        {
            "form": form,
            "check": check,
            "action": action,
            "preview": check.creates[:PREVIEW_ROWS] if check else [],
            "more": max(len(check.creates) - PREVIEW_ROWS, 0) if check else 0,
            "opening_columns": COLUMNS[Kind.OPENING],
            "reading_columns": COLUMNS[Kind.READINGS],
            "is_opening": check is not None and check.kind == Kind.OPENING,
        },
        status=status,
    )


@staff_required
def billing_import(request):
    """Check a file (the default), or import it: all of it, or nothing."""
    properties = policy.properties_with(request.user, "fees.import").order_by("name")
    if not properties.exists():
        raise PermissionDenied
    if request.method != "POST":
        return _page(request, ImportForm(properties=properties))
    form = ImportForm(request.POST, request.FILES, properties=properties)
    action = IMPORT if request.POST.get("action") == IMPORT else CHECK
    if not form.is_valid():
        return _page(request, form, action=action, status=400)
    prop, kind = form.cleaned_data["property"], form.cleaned_data["kind"]
    try:
        rows = read_upload(form.cleaned_data["file"], kind)
    except FileProblem as problem:
        form.add_error("file", problem.message)
        return _page(request, form, action=action, status=400)
    if action == CHECK:
        check = check_rows(kind, prop, rows)
        return _page(request, form, check=check, status=200 if check.ok else 400)
    try:
        made = import_rows(kind, property=prop, by=request.user, rows=rows)
    except ImportRefused as refused:
        return _page(request, form, check=refused.check, action=action, status=400)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _page(request, form, action=action, status=400)
    if kind == Kind.OPENING:
        text = _("Imported %(count)s opening balances at %(property)s.")
    else:
        text = _("Imported %(count)s meter readings at %(property)s.")
    messages.success(request, text % {"count": made, "property": prop.name})
    return redirect("billing_import")


urlpatterns = [path("billing/import/", billing_import, name="billing_import")]
