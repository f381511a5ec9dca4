from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, ()) if hasattr(mapping, "get") else ()


@register.filter
def pair(first, second):
    """`a|pair:b` → [a, b], to loop over the two sides of an SAO-WD dispute."""
    return [first, second]
