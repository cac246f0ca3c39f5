from django.contrib import admin

from tenants.catalogues import (
    DocumentTemplate,
    EndReason,
    MentoringForm,
    MentoringKind,
    RoadmapTemplateItem,
    RoleModel,
    SurveyTemplate,
)


class RoleModelInline(admin.TabularInline):
    model = RoleModel
    extra = 1


@admin.register(MentoringForm)
class MentoringFormAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active", "position"]
    inlines = [RoleModelInline]


admin.site.register([MentoringKind, EndReason, SurveyTemplate, RoadmapTemplateItem, DocumentTemplate])
