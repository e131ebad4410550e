from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class QuotasConfig(AppConfig):
    name = "quotas"
    verbose_name = _("总量与台账")

    def ready(self):
        from .roles import ensure_roles

        # After every migrate, so that a fresh database has the role groups.
        post_migrate.connect(ensure_roles, dispatch_uid="quotas.ensure_roles")
