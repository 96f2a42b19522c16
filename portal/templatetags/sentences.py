"""{% load sentences %}: end a sentence after a name without doubling its full stop."""

from django import template

from ..text import end_sentence as _end_sentence

register = template.Library()


@register.filter(is_safe=True)
def end_sentence(value):
    """``{{ organisation.legal_name|end_sentence }}``: "Acme, Inc." rather than "Acme, Inc.."."""
    return _end_sentence(value)
