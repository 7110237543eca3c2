import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction


def assert_rejected(obj, message):
    """The entry is refused twice over: by validation, with this message for the editor,
    and by the database itself when validation is bypassed."""
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    assert message in excinfo.value.messages
    assert_rejected_by_database(obj)


def assert_rejected_by_database(obj):
    """Saved without validation, the entry is still refused by a constraint."""
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
