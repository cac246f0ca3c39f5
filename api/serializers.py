from rest_framework import serializers

from tenants.models import Municipality, School


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


class SchoolSerializer(serializers.ModelSerializer):
    municipality = MunicipalitySerializer(read_only=True)
    host = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = ["id", "name", "short_name", "inn", "kind", "status", "slug", "host", "municipality"]

    def get_host(self, school: School) -> str:
        from tenants.schema_names import school_host

        return school_host(school.slug)
