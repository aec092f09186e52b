from django import template

from lindung.engagement import selectors

register = template.Library()


@register.simple_tag
def attribution(contribution):
    """The consented name for a quote, or an empty string (anonymous)."""
    return selectors.attribution(contribution)
