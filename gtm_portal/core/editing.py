"""Record editing (CONTRACT 6 `POST /<kind>/<id>/edit/`, ROLE-3, Q-CONC).

Each domain app registers one `Editor` per record kind: which fields a user may change on a
record (ROLE-3), the form that validates them, and the one service that writes them. The same
editor serves the full edit form and the inline edit of one field on the record page, so both
ask the same permissions and the same version check.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django import forms
from django.urls import reverse

from .form_renderer import bootstrap_widgets


@dataclass(frozen=True)
class Editor:
    kind: str  # the URL kind: leads, contacts, accounts, …
    model: type
    form: type[forms.ModelForm]  # declares `version` and every editable field
    # ROLE-3: the fields `user` may change on `record`, in form order (empty: read only).
    fields_for: Callable[..., Sequence[str]]
    # The one write: save(record=, by=, data=, expected_version=, reason=) -> record.
    save: Callable[..., object]
    # The record as the page shows it, for `user` (404 when unknown).
    get: Callable[..., object]
    # Fields whose change also changes other shown values (segments, scores): an inline
    # save of one reloads the page instead of swapping the cell.
    reload_on: frozenset[str] = field(default_factory=frozenset)
    # Whether `user` must give a reason for a change (Sales Support fixing BDR fields).
    needs_reason: Callable[..., bool] | None = None
    # A line above the form (what cannot be edited here and why).
    note: str = ""


class VersionForm(forms.ModelForm):
    """Base of every edit form: the version the user saw (Q-CONC) and, where a change needs
    one, the reason kept in the history."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(required=False, max_length=300, label="Reason (kept in the history)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for formfield in self.fields.values():
            if isinstance(formfield, forms.DateField):
                formfield.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif isinstance(formfield.widget, forms.Textarea):
                formfield.widget.attrs["rows"] = 3
        bootstrap_widgets(self)

    def clean(self):
        cleaned = super().clean()
        if "version" in self.errors:  # a hidden field's error would show nowhere
            self.add_error(
                None,
                "Q-CONC: this form lost the version it was opened at; reload "
                "the record and edit again.",
            )
        return cleaned


_editors: dict[str, Editor] = {}


def register(editor: Editor) -> None:
    _editors[editor.kind] = editor


def editor_for(kind: str) -> Editor | None:
    return _editors.get(kind)


def editable_fields(user, record, kind: str) -> tuple[str, ...]:
    editor = editor_for(kind)
    return tuple(editor.fields_for(user, record)) if editor else ()


def form_class(editor: Editor, names: Sequence[str]) -> type[forms.ModelForm]:
    return forms.modelform_factory(editor.model, form=editor.form, fields=list(names))


def edit_url(kind: str, pk: int) -> str:
    return reverse("record_edit", kwargs={"kind": kind, "pk": pk})


def grouped(editor: Editor, form) -> list[tuple[str, list]]:
    """The form's visible fields in the record page's sections (the model's `SECTIONS`), so
    a field sits where the page shows it; sections with no editable field are dropped."""
    sections = editor.model.SECTIONS
    named = {n for _title, names in sections for n in names}
    out = []
    for title, names in sections:
        fields = [form[n] for n in names if n in form.fields]
        if fields:
            out.append((title, fields))
    rest = [f for f in form.visible_fields() if f.name not in named and f.name != "reason"]
    if rest:
        out.append(("Other" if out else "Fields", rest))
    return out
