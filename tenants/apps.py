from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Регион и школы"

    def ready(self) -> None:
        from config import checks as _deploy_checks  # noqa: F401  (registers the deploy checks)
        from tenants import checks  # noqa: F401  (registers system checks)
