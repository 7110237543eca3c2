"""Admin pieces shared by the apps: history, concurrent-edit protection, the workflow actions.

Every rule is in core/workflow.py; this module only connects the admin to it.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from core import workflow
from core.publishing import Publishable, Status

admin.site.site_header = "Relations — editors"
admin.site.site_title = "Relations editors"
admin.site.index_title = "Curate the record"
# Deleting goes through workflow.delete_entry (drafts only), never the generic bulk delete.
admin.site.disable_action("delete_selected")


def _run_transition(modeladmin, request, queryset, transition, done_verb, **options):
    done, refused = 0, []
    # The publication rules read these relations: load them with the rows, not once per row.
    for obj in queryset.select_related(*modeladmin.transition_select_related):
        try:
            transition(obj=obj, user=request.user, **options)
        except (workflow.TransitionError, PermissionDenied) as error:
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
    _run_transition(modeladmin, request, queryset, workflow.send_to_review, "Sent to review")


@admin.action(description="Publish selected (Publishers)")
def publish(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, workflow.publish, "Published")


@admin.action(description="Publish selected with their draft sources, actors and speakers (Publishers)")
def publish_with_related(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, workflow.publish, "Published", include_related=True)


@admin.action(description="Withdraw selected from the public site (Publishers)")
def withdraw(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, workflow.withdraw, "Withdrew")


@admin.action(description="Delete selected drafts")
def delete_drafts(modeladmin, request, queryset):
    _run_transition(modeladmin, request, queryset, workflow.delete_entry, "Deleted")


class EditorialForm(forms.ModelForm):
    """Adds the version the editor started from (checked on save) and a reason for the history."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Optional; kept in the history. On a published entry it is shown as the correction note.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                # Locks the row for the rest of the save: a concurrent save waits, then fails here.
                self.next_version = workflow.check_version(self.instance, cleaned.get("expected_version"))
            except workflow.ConcurrentEditError as error:
                history = reverse(
                    f"admin:{self.instance._meta.app_label}_{self.instance._meta.model_name}_history",
                    args=[self.instance.pk],
                )
                raise forms.ValidationError(
                    format_html('{} <a href="{}">See the history</a>.', str(error), history), code="stale"
                ) from None
        return cleaned


class InlineVersionForm(forms.ModelForm):
    """An inline row of an entry with its own version (a quote on an event's page): a changed
    row is refused if someone saved that entry since the page was opened."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed():
            try:
                self.next_version = workflow.check_version(self.instance, cleaned.get("expected_version"))
            except workflow.ConcurrentEditError as error:
                raise forms.ValidationError(str(error), code="stale") from None
        return cleaned


class EditorialInlineFormSet(BaseInlineFormSet):
    """Inline deletes go through the services like every other delete: an entry with a status
    of its own (a quote on an event's page) only as ``workflow.delete_entry`` allows, refused
    on the page with its reason otherwise; every deleted row is recorded with the editor."""

    user = None  # set for each request by EditorialInlineMixin.get_formset
    also_editable = ()  # fields naming another entry the row belongs to (EditorialInlineMixin)

    def clean(self):
        super().clean()
        refusals = []
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            for name in self.also_editable:
                # The row shows on that entry's page too (an affiliation on the organization's):
                # it, the old and the new, must be the editor's to change, as on the row's own admin.
                old = form.fields[name].to_python(form.initial[name]) if form.initial.get(name) else None
                for other in {form.cleaned_data.get(name), old} - {None}:
                    if not workflow.can_edit(self.user, other):
                        refusals.append(f"Only a Publisher may change what the published “{other}” shows.")
        for form in self.deleted_forms:
            obj = form.instance
            if obj.pk and isinstance(obj, Publishable):
                try:
                    workflow.check_deletable(obj=obj, user=self.user)
                except (workflow.TransitionError, PermissionDenied) as error:
                    refusals.append(str(error))
        if refusals:
            raise forms.ValidationError(refusals, code="not_deletable")

    def delete_existing(self, obj, commit=True):
        if not commit:
            return
        if isinstance(obj, Publishable):
            workflow.delete_entry(obj=obj, user=self.user)
        else:
            obj._history_user = self.user
            obj.delete()


class EditorialInlineMixin:
    """Inline rows of a published entry are part of what the public sees: Publishers only.
    Deletes go through the services (EditorialInlineFormSet)."""

    formset = EditorialInlineFormSet
    also_editable = ()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)  # a new class for each request
        formset.user = request.user
        formset.also_editable = self.also_editable
        return formset

    def _may_edit(self, request, obj):
        return obj is None or workflow.can_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class PublishableAdmin(SimpleHistoryAdmin):
    """Status changes only through the actions (so the rules always apply); records who
    created and last changed each entry, with history, diffs and revert (django-simple-history);
    refuses a save that would overwrite someone else's newer change."""

    form = EditorialForm
    actions = [send_to_review, publish, publish_with_related, withdraw, delete_drafts]
    transition_select_related = []
    readonly_fields = ["status", "version", "created_at", "created_by", "updated_at", "updated_by"]
    record_fieldset = ("Publication", {"fields": readonly_fields})
    editorial_fieldset = (None, {"fields": ["change_reason", "expected_version"]})
    list_per_page = 50
    # A URL typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.has_change_permission(request, obj) and "change_reason" not in str(fieldsets):
            fieldsets.append(self.editorial_fieldset)
        return fieldsets

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting is editing: the same rights as the change form, and the same version check
        # (against the entry as it is now, not as it was in the version being restored).
        current = self.get_object(request, object_id)
        if request.method == "POST" and (current is None or not workflow.can_edit(request.user, current)):
            raise PermissionDenied
        request.current_version = current.version if current else None
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and getattr(request, "current_version", None) is not None:
            obj.version = request.current_version  # the old version's form starts from now
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        workflow.record_write(
            obj=obj, user=request.user, created=not change, reason=form.cleaned_data.get("change_reason", "")
        )
        if change:
            obj.version = form.next_version
            # A form never changes the status, not even a revert to a version that had another:
            # status moves only through the workflow actions.
            obj.status = type(obj).objects.values_list("status", flat=True).get(pk=obj.pk)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # Entries changed through an inline (a quote on an event's page) follow their own rules:
        # the editor's rights on that entry, its version (InlineVersionForm), who changed it.
        for inline_form in formset.forms:
            obj = inline_form.instance
            if not hasattr(obj, "updated_by") or not inline_form.has_changed():
                continue
            adding = obj._state.adding
            if not adding:
                if not workflow.can_edit(request.user, obj):
                    raise PermissionDenied(f"Only a Publisher may change “{obj}”.")
                obj.version = inline_form.next_version
                obj.status = type(obj).objects.values_list("status", flat=True).get(pk=obj.pk)
            workflow.record_write(obj=obj, user=request.user, created=adding)
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        workflow.delete_entry(obj=obj, user=request.user)


class HistoryAdmin(SimpleHistoryAdmin):
    """For rows without a status of their own (aliases, participations…): history, and the
    edit rights of the entry they belong to."""

    parent_field = None
    parent_fields = None  # every side that must be editable (an affiliation has two)

    def _parents(self, obj):
        return [getattr(obj, name) for name in (self.parent_fields or [self.parent_field])]

    def _may_edit(self, request, obj):
        return obj is None or all(workflow.can_edit(request.user, parent) for parent in self._parents(obj))

    def save_model(self, request, obj, form, change):
        # The row may have been moved to another parent: both the old and the new must be editable.
        parents = self._parents(obj)
        if change:
            parents += self._parents(type(obj).objects.get(pk=obj.pk))
        if not all(workflow.can_edit(request.user, parent) for parent in parents):
            raise PermissionDenied("Only a Publisher may change what a published entry shows.")
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)
