"""The account page's badges, written by the same functions as account view B3's rows."""

from django import template

from ..rows import days_left_badge, idle_badge

register = template.Library()
register.simple_tag(days_left_badge, name="days_left")
register.simple_tag(idle_badge, name="idle_days_left")
