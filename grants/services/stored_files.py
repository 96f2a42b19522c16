"""Uploaded files are written to storage before the row that points to them, so no lock or transaction
is held while they stream. These helpers keep storage and database in step around that."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def deleted_on_failure(storage, name: str):
    """Run the block that records the stored file ``name``; if the block raises (rule refused, rollback),
    delete the file again so no orphan is left. The block must commit for real when it ends (outermost
    transaction), or a caller's later rollback would still leave the file behind."""
    try:
        yield
    except BaseException:
        storage.delete(name)
        raise


def delete_after_commit(storage, name: str) -> None:
    """Delete a stored file the current transaction stopped pointing to, once that is committed; if the
    transaction rolls back the row still points to the file, so it stays."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
