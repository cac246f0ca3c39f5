"""API input: DRF serializers check the body's shape and types first; the domain rules stay in one place.

Feeding ``request.data`` to a Django form was a 500 for any body of the wrong JSON shape (a list, a
string, a number, a field that is a list or a boolean, ``"person": "AAA"``): forms expect strings from an
HTML form. Here the serializer refuses every such body with the API's 400 (api/errors.py), and only then
hands the already typed values to the same Django form the pages use, so a rule (a name's letters, a
minor's representative, the ОКТМО's digits …) is still written once.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import BadRequest
from django.db.models import Model
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from core.dates import parse_date_param


def _form_value(value: Any) -> Any:
    """A validated Python value as an HTML form would have sent it."""
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class FormRulesMixin(serializers.Serializer):
    """A serializer whose ``validate`` runs the page's Django form over the type-checked values."""

    form_class: ClassVar[type[forms.BaseForm]]

    def form_kwargs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance = getattr(self, "instance", None)
        return (
            {"instance": instance}
            if instance is not None and issubclass(self.form_class, forms.ModelForm)
            else {}
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        instance = getattr(self, "instance", None)
        if instance is not None:  # a partial update: the form sees the stored values under the new ones
            fields = self.form_class.base_fields  # type: ignore[attr-defined]  # set by the forms metaclass
            data = {name: _form_value(getattr(instance, name, None)) for name in fields}
        data.update({name: _form_value(value) for name, value in attrs.items()})
        form = self.form_class(data=data, **self.form_kwargs(attrs))
        if not form.is_valid():
            raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
        return dict(form.cleaned_data)


def on_param(raw: str | None, *, name: str = "on") -> date:
    """``?on=`` for the API: the shared parser, its refusal as the API's field error under ``name``."""
    try:
        return parse_date_param(raw)
    except BadRequest as error:
        raise ValidationError({name: [str(error)]}) from None
