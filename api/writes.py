"""Writes through the API: the workflow's actions and editors' changes, with preconditions
(If-Match) and the reason recorded in the history. Shared by every publishable resource."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import DjangoModelPermissions
from rest_framework.response import Response

from core import workflow


class WorkflowActionsMixin:
    """POST …/send-to-review/, …/publish/, …/withdraw/: the admin's bulk actions, one entry at a
    time, through the same services and rules. Needs the model's change permission."""

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], url_path="send-to-review", permission_classes=[DjangoModelPermissions])
    def send_to_review(self, request, *args, **kwargs):
        return self._transition(workflow.send_to_review)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def publish(self, request, *args, **kwargs):
        """Publish; ``?with_related=1`` also publishes the draft sources and actors it needs."""
        with_related = request.query_params.get("with_related") in ("1", "true")
        return self._transition(workflow.publish, include_related=with_related)

    @extend_schema(request=None, responses={200: None})
    @action(detail=True, methods=["post"], permission_classes=[DjangoModelPermissions])
    def withdraw(self, request, *args, **kwargs):
        return self._transition(workflow.withdraw)

    def _transition(self, transition, **options):
        reason = change_reason(self.request)
        obj = self.get_object()
        try:
            transition(obj=obj, user=self.request.user, reason=reason, **options)
        except workflow.TransitionError as error:
            raise ValidationError({"status": [str(error)]}) from None
        return Response({"status": obj.status, "version": obj.version}, status=status.HTTP_200_OK)


class EditorWritesMixin:
    """Writes through the services: who and why go into the history; an update or delete must
    name the version it started from (``If-Match`` with the ETag of a GET), or it is refused
    with 428, and with 412 when someone saved in between; Editors change drafts only."""

    def retrieve(self, request, *args, **kwargs):
        # The entry read once, for its body and its ETag (reading it again doubled the queries).
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag(instance)
        return response

    @transaction.atomic
    def perform_create(self, serializer):
        # One transaction with the change reason: a connection lost in between must not leave
        # the entry stored without its history note.
        reason = change_reason(self.request)
        serializer.save(created_by=self.request.user, updated_by=self.request.user)
        self.record_reason(serializer.instance, reason)
        serializer.instance = self.as_read(serializer.instance)

    def update(self, request, *args, **kwargs):
        # Whether the user may change this entry at all comes before what they sent: an Editor's
        # PATCH of a published entry is a 403 whether or not its body is valid.
        self.require_edit_rights(self.get_object())
        return super().update(request, *args, **kwargs)

    def require_edit_rights(self, obj):
        if not workflow.can_edit(self.request.user, obj):
            raise PermissionDenied(f"Only a Publisher may change “{obj}”, which is {obj.status}.")

    @transaction.atomic
    def perform_update(self, serializer):
        reason = change_reason(self.request)
        obj = serializer.instance
        self.require_edit_rights(obj)
        version = self.check_if_match(obj)
        # The row is locked now: apply the change to it as stored, not to the copy read before
        # the lock (a merge may have moved a column of it meanwhile, with the same version).
        obj.refresh_from_db()
        serializer.save(updated_by=self.request.user, version=version)
        self.record_reason(serializer.instance, reason)
        serializer.instance = self.as_read(serializer.instance)

    def as_read(self, obj):
        """The entry as a GET by this writer shows it, for the response: its links by the
        reader's rule (``with_links``), not every row the write left behind."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    @transaction.atomic
    def perform_destroy(self, instance):
        self.check_if_match(instance)
        try:
            workflow.delete_entry(obj=instance, user=self.request.user)
        except workflow.TransitionError as error:
            raise ValidationError({"status": [str(error)]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("PUT", "PATCH") and response.status_code == 200 and hasattr(self, "_written"):
            response["ETag"] = etag(self._written)
        return response

    def record_reason(self, obj, reason):
        """The optional X-Change-Reason header goes into the history record just written (the
        user is recorded by simple-history's middleware)."""
        if reason:
            # The newest record of the entry. (simple-history's update_change_reason finds it by
            # comparing every field with the instance, and found none when a generated column
            # such as a quote's said_until had changed: a 500.)
            record = obj.history.latest("history_id")
            record.history_change_reason = reason
            record.save(update_fields=["history_change_reason"])

    def check_if_match(self, obj):
        header = self.request.headers.get("If-Match")
        if not header:
            raise PreconditionRequired()
        expected = header.strip().removeprefix("W/").strip('"')
        # ASCII digits that fit a version: "１" is no ETag of ours, and int() of thousands of
        # digits is a ValueError.
        if not (expected.isascii() and expected.isdigit() and len(expected) <= 18):
            raise PreconditionFailed(f"If-Match must be the ETag of the entry, such as {etag(obj)}.")
        try:
            version = workflow.check_version(obj, int(expected))
        except workflow.ConcurrentEditError as error:
            raise PreconditionFailed(str(error)) from None
        self._written = obj
        return version


def change_reason(request):
    """The optional X-Change-Reason header (a NUL byte in it is refused by the middleware)."""
    reason = request.headers.get("X-Change-Reason", "")
    if len(reason) > workflow.NOTE_MAX_LENGTH:
        raise ValidationError(
            {"X-Change-Reason": [f"At most {workflow.NOTE_MAX_LENGTH} characters ({len(reason):,} given)."]}
        )
    return reason


def etag(obj):
    return f'"{obj.version}"'


class PreconditionFailed(APIException):
    status_code = 412
    default_detail = "The entry changed since you read it."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send If-Match with the ETag from a GET of this entry, so that a change someone else saved "
        "in the meantime is never overwritten."
    )
    default_code = "precondition_required"
