from rest_framework import serializers

from api.validation import FormRulesMixin
from regional.forms import MunicipalityForm
from tenants.forms import SchoolOnboardForm
from tenants.models import Invitation, Membership, Municipality, OnboardingBatch, Role, School
from tenants.schema_names import school_host


class WorkplaceSerializer(serializers.Serializer):
    title = serializers.CharField()
    role = serializers.CharField()
    url = serializers.URLField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    workplaces = WorkplaceSerializer(many=True)


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "name", "oktmo", "imc_name"]


class MunicipalityInputSerializer(FormRulesMixin, MunicipalitySerializer):
    form_class = MunicipalityForm


class SchoolSerializer(serializers.ModelSerializer):
    municipality = MunicipalitySerializer(read_only=True)
    host = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "id", "name", "short_name", "inn", "ogrn", "kpp", "kind", "status", "slug", "host", "municipality",
            "created_at", "activated_at", "archived_at", "provision_error",
        ]  # fmt: skip

    def get_host(self, school: School) -> str:
        return school_host(school.slug)


class SchoolOnboardInputSerializer(FormRulesMixin, serializers.Serializer):
    """Types here; the rules are SchoolOnboardForm's, shared with the page and the list import."""

    form_class = SchoolOnboardForm

    name = serializers.CharField(max_length=500)
    short_name = serializers.CharField(max_length=200)
    inn = serializers.CharField(max_length=10)
    ogrn = serializers.CharField(max_length=13)
    kpp = serializers.CharField(max_length=9, required=False, allow_blank=True)
    municipality = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=School.Kind.choices)
    slug = serializers.CharField(max_length=40, required=False, allow_blank=True)
    curator_email = serializers.EmailField(max_length=254)


class SchoolDeleteInputSerializer(serializers.Serializer):
    confirmation = serializers.CharField(help_text="Адрес (slug) школы — подтверждение удаления")


class BatchUploadInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class BatchRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    # "data"/"errors" would shadow Serializer attributes: exposed as cells/messages.
    cells = serializers.DictField(source="data", child=serializers.CharField(allow_blank=True))
    slug = serializers.CharField(allow_blank=True)
    messages = serializers.ListField(source="errors", child=serializers.CharField())
    existing_school_id = serializers.IntegerField(allow_null=True)


class BatchSerializer(serializers.ModelSerializer):
    rows = BatchRowSerializer(many=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = OnboardingBatch
        fields = ["id", "file_name", "status", "created_at", "confirmed_at", "rows", "progress"]

    def get_progress(self, batch: OnboardingBatch) -> dict[str, int]:
        from regional.selectors import batch_progress

        return batch_progress(batch=batch)


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    school = serializers.IntegerField(required=False, allow_null=True, help_text="только на сайте региона")
    municipality = serializers.IntegerField(required=False, allow_null=True)


class InvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "school",
            "municipality",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.get_full_name")

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "created_at"]
