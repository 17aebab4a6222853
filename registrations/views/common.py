"""Helpers shared by the page views."""

from django import forms

from dtsen_portal.errors import DomainError


def form_error_from(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form: on its field when the form has it."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def base_url(request) -> str:
    return request.build_absolute_uri("/")
