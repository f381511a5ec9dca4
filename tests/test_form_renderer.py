"""The Python widget renderer (Q-PERF) writes exactly what Django's widget templates write,
escaping included (Q-SAFE: user text is always escaped)."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from gtm_portal.core.form_renderer import FastWidgetRenderer

EVIL = '"><script>alert(1)</script>&'


class Sample(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(
            attrs={"class": "form-control", "data-x": EVIL, "autofocus": True, "hidden": False}
        )
    )
    number = forms.IntegerField(required=False)
    email = forms.EmailField(required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    flag = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    choice = forms.ChoiceField(
        choices=[
            ("", "---------"),
            ("a", "Alpha"),
            (EVIL, EVIL),
            ("safe", mark_safe("<b>bold</b>")),
        ],
        required=False,
    )
    grouped = forms.ChoiceField(
        choices=[("Europe", [("de", "Germany"), ("fr", "France")]), ("us", "United States")],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")], required=False)
    number_labels = forms.TypedChoiceField(
        choices=[(1000, 1000), (2, 2.5)], coerce=int, required=False
    )
    nullable = forms.NullBooleanField(required=False)
    boxes = forms.MultipleChoiceField(
        choices=[("x", "Ex"), ("y", EVIL)], required=False, widget=forms.CheckboxSelectMultiple
    )
    radio = forms.ChoiceField(
        choices=[("x", "Ex"), ("y", "Why")], required=False, widget=forms.RadioSelect
    )


BOUND = {
    "text": EVIL,
    "number": "12",
    "email": "a@b.example",
    "day": "2026-11-23",
    "hidden": EVIL,
    "flag": "on",
    "note": EVIL,
    "choice": EVIL,
    "grouped": "fr",
    "many": ["1", "3"],
    "number_labels": "1000",
    "nullable": "true",
    "boxes": ["y"],
    "radio": "x",
}


@pytest.mark.parametrize(
    "data",
    [None, BOUND, {"text": "", "note": "", "day": "bad"}],
    ids=["unbound", "bound", "invalid"],
)
def test_fast_renderer_writes_what_the_templates_write(data):
    form_stock = Sample(
        data=data, initial={"day": datetime.date(2026, 1, 2)}, renderer=DjangoTemplates()
    )
    form_fast = Sample(
        data=data, initial={"day": datetime.date(2026, 1, 2)}, renderer=FastWidgetRenderer()
    )
    for name in Sample.base_fields:
        assert str(form_fast[name]) == str(form_stock[name]), name
    for name in ("boxes", "radio"):  # each choice on its own, as a list template writes it
        for fast, stock in zip(form_fast[name], form_stock[name], strict=True):
            assert fast.tag() == stock.tag()
            assert fast.tag(wrap_label=True) == stock.tag(wrap_label=True)
            assert str(fast) == str(stock)


def test_user_text_is_escaped_in_every_fast_widget():
    html = str(Sample(data=BOUND, renderer=FastWidgetRenderer()).as_div())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_settings_use_the_fast_renderer():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FastWidgetRenderer)
