"""School API (school host; the school's admin and curator): people, consents, acts, roadmap."""

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import IsSchoolMember
from api.validation import FormRulesMixin, on_param
from core.access import IsSchoolStaff
from core.acts.forms import ActRepealForm, LocalActEditForm, LocalActForm
from core.acts.models import LocalAct
from core.acts.services import act_create, act_repeal, act_update
from core.consents.forms import ConsentForm
from core.consents.models import Consent
from core.consents.selectors import consent_check
from core.consents.services import consent_create, consent_withdraw
from core.people.forms import PersonForm
from core.people.models import Person
from core.people.selectors import person_duplicates_for, person_list
from core.people.services import person_create, person_update
from core.roadmap.models import RoadmapItem
from tenants.models import User

STAFF = [IsSchoolMember, IsSchoolStaff]


def _actor(request: Request) -> User:
    return cast(User, request.user)


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id", "last_name", "first_name", "middle_name", "category", "external_kind", "organisation",
            "birth_date", "school_class", "position", "career_start", "hired_on", "email", "phone",
        ]  # fmt: skip


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = [
            "id", "person", "kind", "by_representative", "representative_last_name", "representative_first_name",
            "representative_middle_name", "representative_relation", "representative_document", "valid_from",
            "valid_until", "withdrawn_on", "withdrawal_reason",
        ]  # fmt: skip
        read_only_fields = ["withdrawn_on", "withdrawal_reason"]


class PersonCreateSerializer(PersonSerializer):
    confirm_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="true — сохранить, даже если в школе уже есть участник с теми же ФИО и датой рождения "
        "(без него такой запрос получает 409 со списком совпадений).",
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "confirm_duplicate"]


class PersonInputSerializer(FormRulesMixin, PersonCreateSerializer):
    form_class = PersonForm

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        confirm = bool(attrs.pop("confirm_duplicate", False))
        return {**super().validate(attrs), "confirm_duplicate": confirm}


class DuplicateErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="possible_duplicate")
    message = serializers.CharField()
    candidates = PersonSerializer(
        many=True, help_text="участники школы, с которыми совпадают ФИО и дата рождения"
    )


class DuplicateResponseSerializer(serializers.Serializer):
    error = DuplicateErrorSerializer()


DUPLICATE_FIELDS = {"last_name", "first_name", "middle_name", "birth_date"}


def _duplicates_refusal(data: dict[str, Any], *, exclude_pk: int | None) -> Response | None:
    """The page's duplicate warning for the API: a 409 with the matching people, unless confirmed."""
    if data.get("confirm_duplicate"):
        return None
    candidates = person_duplicates_for(data=data, exclude_pk=exclude_pk)
    if not candidates:
        return None
    names = ", ".join(p.full_name for p in candidates[:3])
    message = (
        f"Похоже, этот участник уже есть в школе: {names}. Ничего не сохранено. Если это другой человек, "
        "повторите запрос с «confirm_duplicate»: true."
    )
    body = {
        "error": {
            "code": "possible_duplicate",
            "message": message,
            "candidates": PersonSerializer(candidates, many=True).data,
        }
    }
    return Response(body, status=status.HTTP_409_CONFLICT)


class ConsentInputSerializer(FormRulesMixin, ConsentSerializer):
    form_class = ConsentForm

    def form_kwargs(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"person": attrs["person"]}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {**super().validate(attrs), "person": attrs["person"]}


class ConsentCheckSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class WithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class LocalActSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAct
        fields = [
            "id", "kind", "number", "date", "title", "status", "curator", "generated", "repealed_by",
            "repealed_on", "in_force_today",
        ]  # fmt: skip
        read_only_fields = ["status", "curator", "generated", "repealed_by", "repealed_on"]

    in_force_today = serializers.SerializerMethodField()

    def get_in_force_today(self, act: LocalAct) -> bool:
        return act.in_force_on(timezone.localdate())


class LocalActInputSerializer(FormRulesMixin, LocalActSerializer):
    form_class = LocalActForm
    # The shape is checked as text: the form's own parser says «31.02.2026 нет в календаре» in Russian.
    date = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)


class LocalActEditSerializer(FormRulesMixin, serializers.Serializer):
    form_class = LocalActEditForm
    number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    date = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)
    title = serializers.CharField(required=False, max_length=500)


class ActRepealSerializer(serializers.Serializer):
    repealed_by = serializers.IntegerField(min_value=1)
    repealed_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=20)


class RoadmapItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = RoadmapItem
        fields = ["id", "stage", "title", "period", "due_date", "responsible", "result", "status", "position"]


class PersonListApi(generics.ListAPIView):
    permission_classes = STAFF
    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        params = self.request.query_params
        return person_list(search=params.get("search", ""), category=params.get("category", ""))

    @extend_schema(
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, 409: DuplicateResponseSerializer},
        description="Добавить участника. Если в школе уже есть участник с теми же ФИО (ё = е, без учёта "
        "регистра) и той же датой рождения (или без неё), ничего не сохраняется: ответ 409 со списком "
        "совпадений (candidates). Чтобы сохранить всё равно, повторите запрос с «confirm_duplicate»: true.",
    )
    def post(self, request: Request) -> Response:
        data = PersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refusal = _duplicates_refusal(data.validated_data, exclude_pk=None)
        if refusal is not None:
            return refusal
        person = person_create(data=data.validated_data, actor=_actor(request))
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class PersonDetailApi(APIView):
    permission_classes = STAFF

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(PersonSerializer(get_object_or_404(Person, pk=pk)).data)

    @extend_schema(
        request=PersonCreateSerializer,
        responses={200: PersonSerializer, 409: DuplicateResponseSerializer},
        description="Изменить участника. Если меняются ФИО или дата рождения и они совпадают с другим "
        "участником школы, ответ 409 со списком совпадений, пока не передан «confirm_duplicate»: true.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(Person, pk=pk)
        data = PersonInputSerializer(person, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if DUPLICATE_FIELDS & set(request.data if isinstance(request.data, dict) else ()):
            refusal = _duplicates_refusal(data.validated_data, exclude_pk=person.pk)
            if refusal is not None:
                return refusal
        return Response(
            PersonSerializer(
                person_update(person=person, data=data.validated_data, actor=_actor(request))
            ).data
        )


class ConsentCheckApi(APIView):
    """May this person take part on this date? (both consents; a minor's from a representative)"""

    permission_classes = STAFF

    @extend_schema(
        parameters=[OpenApiParameter("on", str, description="дата ГГГГ-ММ-ДД, по умолчанию сегодня")],
        responses=ConsentCheckSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        person = get_object_or_404(Person, pk=pk)
        check = consent_check(person=person, on=on_param(request.query_params.get("on")))
        return Response({"allowed": check.allowed, "problems": check.problems})


class ConsentCreateApi(APIView):
    permission_classes = STAFF

    @extend_schema(request=ConsentSerializer, responses={201: ConsentSerializer})
    def post(self, request: Request) -> Response:
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        person = fields.pop("person")
        consent = consent_create(person=person, data=fields, scan=None, actor=_actor(request))
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)


class ConsentWithdrawApi(APIView):
    permission_classes = STAFF

    @extend_schema(request=WithdrawSerializer, responses=ConsentSerializer)
    def post(self, request: Request, pk: int) -> Response:
        consent = get_object_or_404(Consent, pk=pk)
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consent_withdraw(
            consent=consent,
            on=data.validated_data["withdrawn_on"],
            reason=data.validated_data["reason"],
            actor=_actor(request),
        )
        return Response(ConsentSerializer(consent).data)


class LocalActListApi(generics.ListAPIView):
    permission_classes = STAFF
    serializer_class = LocalActSerializer
    queryset = LocalAct.objects.all()

    @extend_schema(request=LocalActSerializer, responses={201: LocalActSerializer})
    def post(self, request: Request) -> Response:
        data = LocalActInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        act = act_create(data=data.validated_data, actor=_actor(request))
        return Response(LocalActSerializer(act).data, status=status.HTTP_201_CREATED)


class LocalActDetailApi(APIView):
    """One act; PATCH corrects a draft's number, date and title."""

    permission_classes = STAFF

    @extend_schema(responses={200: LocalActSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(LocalActSerializer(get_object_or_404(LocalAct, pk=pk)).data)

    @extend_schema(request=LocalActEditSerializer, responses={200: LocalActSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        act = get_object_or_404(LocalAct, pk=pk)
        data = LocalActEditSerializer(act, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sent = set(data.initial_data) if isinstance(data.initial_data, dict) else set()
        fields = {k: v for k, v in data.validated_data.items() if k in sent}
        act = act_update(act=act, data=fields, actor=_actor(request))
        return Response(LocalActSerializer(act).data)


class LocalActRepealApi(APIView):
    """Mark an act «утратил силу» by a later act (``repealed_by``: its id) from ``repealed_on``."""

    permission_classes = STAFF

    @extend_schema(request=ActRepealSerializer, responses={200: LocalActSerializer})
    def post(self, request: Request, pk: int) -> Response:
        act = get_object_or_404(LocalAct, pk=pk)
        data = ActRepealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = ActRepealForm(
            data={
                "repealed_by": data.validated_data["repealed_by"],
                "repealed_on": data.validated_data.get("repealed_on") or "",
            },
            act=act,
        )
        if not form.is_valid():
            raise DRFValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        act = act_repeal(
            act=act,
            by=form.cleaned_data["repealed_by"],
            on=form.cleaned_data["repealed_on"],
            actor=_actor(request),
        )
        return Response(LocalActSerializer(act).data)


class RoadmapListApi(generics.ListAPIView):
    permission_classes = STAFF
    serializer_class = RoadmapItemSerializer
    queryset = RoadmapItem.objects.all()
