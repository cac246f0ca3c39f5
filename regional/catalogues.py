"""The region edits its reference catalogues (tenants.catalogues): role models, who may take which side of a
form of mentoring, and the requests of the banks. Rows are never deleted here — schools refer to them by id
or code — they are switched off and on, so a pair or a bank entry that uses one keeps its meaning."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from tenants.catalogues import BankRequest, MentoringForm, RoleModel
from tenants.models import User
from tenants.services import audit_record

# Who may take a side of a form: Person.category values, external participants as «external:<kind>».
CATEGORY_LABELS = {
    "teacher": "педагог", "student": "обучающийся", "parent": "родитель", "graduate": "выпускник",
    "external:employer": "работодатель", "external:student": "студент", "external:lecturer": "педагог вуза/колледжа",
    "external:partner": "социальный партнёр",
}  # fmt: skip

_CODE_RE = re.compile(r"^[a-z][a-z0-9_]{1,19}$")


def _name(raw: str, *, what: str) -> str:
    name = " ".join(raw.split())
    if "\x00" in name or not 3 <= len(name) <= 200:
        raise ValidationError(f"{what} — от 3 до 200 символов.")
    return name


@transaction.atomic
def role_model_add(*, form_code: str, name: str, actor: User | None) -> RoleModel:
    form = MentoringForm.objects.filter(code=form_code).first()
    if form is None:
        raise ValidationError("Форма наставничества не найдена.")
    name = _name(name, what="Название ролевой модели")
    if RoleModel.objects.filter(form=form, name__iexact=name).exists():
        raise ValidationError("Такая ролевая модель уже есть.")
    # Added by the region itself: no source document, and the page marks it so.
    role_model = RoleModel.objects.create(form=form, name=name, source="")
    audit_record(actor=actor, action="role_model.add", obj=role_model)
    return role_model


@transaction.atomic
def role_model_toggle(*, role_model_id: int, actor: User | None) -> RoleModel:
    role_model = RoleModel.objects.select_for_update().filter(pk=role_model_id).first()
    if role_model is None:
        raise ValidationError("Ролевая модель не найдена.")
    role_model.is_active = not role_model.is_active
    role_model.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="role_model.toggle", obj=role_model, details={"active": role_model.is_active}
    )
    return role_model


@transaction.atomic
def form_sides_set(
    *, form_code: str, mentor_categories: list[str], mentee_categories: list[str], actor: User | None
) -> MentoringForm:
    """Who may be a mentor and who a mentee in this form (seed 003: parents and graduates among mentors)."""
    form = MentoringForm.objects.select_for_update().filter(code=form_code).first()
    if form is None:
        raise ValidationError("Форма наставничества не найдена.")
    unknown = [c for c in [*mentor_categories, *mentee_categories] if c not in CATEGORY_LABELS]
    if unknown:
        raise ValidationError("Неизвестная категория участника.")
    if not mentor_categories or not mentee_categories:
        raise ValidationError(f"«{form.name}»: отметьте, кто может быть наставником и кто наставляемым.")
    before = {"mentors": form.mentor_categories, "mentees": form.mentee_categories}
    # In the order of the catalogue's labels, each once, whatever order the boxes were sent in.
    form.mentor_categories = [c for c in CATEGORY_LABELS if c in mentor_categories]
    form.mentee_categories = [c for c in CATEGORY_LABELS if c in mentee_categories]
    form.save(update_fields=["mentor_categories", "mentee_categories"])
    audit_record(
        actor=actor,
        action="mentoring_form.sides",
        obj=form,
        details={"before": before, "mentors": form.mentor_categories, "mentees": form.mentee_categories},
    )
    return form


@transaction.atomic
def bank_request_add(*, code: str, name: str, audience: str, actor: User | None) -> BankRequest:
    code = code.strip().lower()
    if not _CODE_RE.match(code):
        raise ValidationError("Код запроса — латинские буквы, цифры и «_», от 2 до 20 знаков, с буквы.")
    if audience not in BankRequest.Audience.values:
        raise ValidationError("Укажите, для кого запрос: педагоги, обучающиеся или все.")
    name = _name(name, what="Запрос")
    if BankRequest.objects.filter(code=code).exists():
        raise ValidationError(f"Код «{code}» уже занят.")
    if BankRequest.objects.filter(name__iexact=name).exists():
        raise ValidationError("Такой запрос уже есть.")
    position = (BankRequest.objects.aggregate(p=Max("position"))["p"] or 0) + 1
    request = BankRequest.objects.create(
        code=code, name=name, audience=audience, position=position, source=""
    )
    audit_record(actor=actor, action="bank_request.add", obj=request)
    return request


@transaction.atomic
def bank_request_update(*, code: str, name: str, audience: str, actor: User | None) -> BankRequest:
    """A new wording or audience; the code stays (bank entries of every school hold it)."""
    request = BankRequest.objects.select_for_update().filter(code=code).first()
    if request is None:
        raise ValidationError("Запрос не найден.")
    if audience not in BankRequest.Audience.values:
        raise ValidationError("Укажите, для кого запрос: педагоги, обучающиеся или все.")
    name = _name(name, what="Запрос")
    if BankRequest.objects.filter(name__iexact=name).exclude(pk=request.pk).exists():
        raise ValidationError("Такой запрос уже есть.")
    before = {"name": request.name, "audience": request.audience}
    request.name, request.audience = name, audience
    request.save(update_fields=["name", "audience"])
    audit_record(actor=actor, action="bank_request.update", obj=request, details={"before": before})
    return request


@transaction.atomic
def bank_request_toggle(*, code: str, actor: User | None) -> BankRequest:
    """Switched off: no longer offered in the banks' forms; entries that hold it keep it and show its name."""
    request = BankRequest.objects.select_for_update().filter(code=code).first()
    if request is None:
        raise ValidationError("Запрос не найден.")
    request.is_active = not request.is_active
    request.save(update_fields=["is_active"])
    audit_record(
        actor=actor, action="bank_request.toggle", obj=request, details={"active": request.is_active}
    )
    return request
