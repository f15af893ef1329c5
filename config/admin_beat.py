"""Celery beat's tables (periodic tasks, schedules, solar events) in admin are for
superusers only: a wrong row there stops reminders or sends them at the wrong hour, and no
staff job needs them."""

from django.contrib import admin

BEAT_APP = "django_celery_beat"


class SuperusersOnly:
    def _is_superuser(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._is_superuser(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_superuser(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._is_superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._is_superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._is_superuser(request) and super().has_delete_permission(request, obj)


def beat_for_superusers_only(site: admin.AdminSite) -> None:
    """Re-registers every Celery beat model of `site` behind `SuperusersOnly`."""
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label != BEAT_APP or isinstance(model_admin, SuperusersOnly):
            continue
        restricted = type(
            f"SuperusersOnly{type(model_admin).__name__}", (SuperusersOnly, type(model_admin)), {}
        )
        site.unregister(model)
        site.register(model, restricted)
