from django import template

from .. import drill_rows

register = template.Library()


@register.simple_tag
def record_cells(section, record):
    return drill_rows.cells(section, record)


@register.simple_tag
def record_link(record):
    return drill_rows.link(record)


@register.simple_tag
def record_label(record):
    return drill_rows.label(record)
