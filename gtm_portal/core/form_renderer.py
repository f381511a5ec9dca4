"""The form renderer (settings.FORM_RENDERER): Django's, except that the plain widgets —
inputs, selects with their options, text areas — are written out in Python.

Django renders every widget, and every option of a select, through a template include; a
list page's filter form (a source list of a hundred options, a region list, dates) spent
~10 ms of a ~50 ms page there (SPEC Q-PERF). The output is the same markup the stock
templates give (same attributes, same escaping); anything else — custom option templates,
the frame of radio and checkbox lists, crispy-forms' field templates — goes through the templates as
before."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

W = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    W + f"{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "checkbox",
    )
)
SELECT_TEMPLATES = frozenset((W + "select.html",))
# One checkbox or radio of a list, as `{{ choice.tag }}` renders it.
INPUT_OPTION_TEMPLATES = frozenset(
    W + f"{name}.html" for name in ("checkbox_option", "radio_option", "input_option")
)
OPTION_TEMPLATE = W + "select_option.html"
TEXTAREA_TEMPLATE = W + "textarea.html"


def _s(value) -> str:
    """`{{ value|stringformat:'s' }}` under autoescape."""
    return value if isinstance(value, SafeData) else conditional_escape(str(value))


def _text(value) -> str:
    """`{{ value }}` under autoescape (localised like the template engine does)."""
    if not isinstance(value, str):
        value = formats.localize(value)
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_s(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}'
        f"{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_s(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)  # the stock renderer strips the result; nothing to strip here


def _input_option(widget: dict) -> str:
    html = _input(widget)
    if widget.get("wrap_label"):
        target = widget["attrs"].get("id")
        target = f' for="{_text(target)}"' if target else ""
        html = f"<label{target}>{html}\n {_text(widget['label'])}</label>"
    return html


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            html = None
            if template_name in INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name in SELECT_TEMPLATES:
                html = _select(widget)
            elif template_name in INPUT_OPTION_TEMPLATES:
                html = _input_option(widget)
            elif template_name == TEXTAREA_TEMPLATE:
                html = _textarea(widget)
            if html is not None:
                return mark_safe(html)  # every part above is escaped
        return super().render(template_name, context, request)


def bootstrap_widgets(form) -> None:
    """Give each widget of `form` its Bootstrap 5 class (form-control, form-select,
    form-check-input), for forms written with `partials/field.html` instead of crispy."""

    for field in form.fields.values():
        widget = field.widget
        if isinstance(
            widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        classes = widget.attrs.get("class", "")
        if css not in classes.split():
            widget.attrs["class"] = f"{classes} {css}".strip()
