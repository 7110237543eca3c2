"""Admin pieces shared by the apps: who changed what, and the publication actions."""

from django.contrib import admin, messages
from django.db import models

from events import services
from relations_site.publishing import Publishable

admin.site.site_header = "Relations — editors"
admin.site.site_title = "Relations editors"
admin.site.index_title = "Curate the record"


def _run_transition(modeladmin, request, queryset, transition, done_verb):
    done, refused = 0, []
    # The publication rules read these relations: load them with the rows, not once per row.
    for obj in queryset.select_related(*modeladmin.transition_select_related):
        try:
            transition(obj=obj, user=request.user)
        except services.TransitionError as error:
            refused.append(str(error))
        else:
            done += 1
    noun = modeladmin.model._meta.verbose_name if done == 1 else modeladmin.model._meta.verbose_name_plural
    if done:
        modeladmin.message_user(request, f"{done_verb} {done} {noun}.", messages.SUCCESS)
    for message in refused:
        modeladmin.message_user(request, message, messages.ERROR)


@admin.action(description="Send selected to review")
def send_to_review(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, services.send_to_review, "Sent to review")


@admin.action(description="Publish selected")
def publish(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, services.publish, "Published")


@admin.action(description="Withdraw selected from the public site")
def withdraw(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, services.withdraw, "Withdrew")


class PublishableAdmin(admin.ModelAdmin):
    """Status changes only through the actions (so the publication rules always apply);
    records who created and last changed each entry."""

    actions = [send_to_review, publish, withdraw]
    transition_select_related = []
    readonly_fields = ["status", "created_at", "created_by", "updated_at", "updated_by"]
    record_fieldset = ("Publication", {"fields": readonly_fields})
    list_per_page = 50
    # A URL typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        record_editor(obj, request.user, created=not change)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Entries added or changed through an inline (a quote on an event's page) record
        # their editor too.
        for inline_form in formset.forms:
            obj = inline_form.instance
            if isinstance(obj, Publishable) and inline_form.has_changed():
                record_editor(obj, request.user, created=obj._state.adding)
        super().save_formset(request, form, formset, change)


def record_editor(obj, user, *, created):
    if created:
        obj.created_by = user
    obj.updated_by = user
