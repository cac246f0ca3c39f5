from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from tenants.models import Domain, Invitation, Membership, Municipality, RegionSettings, School, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_active", "is_superuser"]
    search_fields = ["email", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("ФИО", {"fields": ("last_name", "first_name", "middle_name")}),
        ("Права", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "municipality", "kind", "status", "slug"]
    list_filter = ["municipality", "kind", "status"]
    search_fields = ["name", "short_name", "inn", "slug"]
    # Status changes go through the onboarding service (archive, unarchive, retry): it dates the archiving
    # in the region's history; an edit here would not.
    readonly_fields = ["schema_name", "slug", "status", "archived_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Schools are onboarded by the onboarding service, which generates the schema name.
        return False


admin.site.register([RegionSettings, Municipality, Domain, Membership, Invitation])
