"""The media store on the local disk: a file appears under its name only once it is whole.

Django's ``FileSystemStorage`` writes straight to the final name, so a disk that fills up in
the middle of a write leaves a partial file that no row owns. Here the bytes go to a temporary
file in ``<MEDIA_ROOT>/.incoming`` (the same file system) and are renamed into place when
written; a failed write removes only that temporary file. The caller's rows and files are
kept together by ``civicportal.files.files_with_their_rows``.
"""

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage

INCOMING = ".incoming"


def write_chunks(out, content) -> None:
    for chunk in content.chunks():
        out.write(chunk if isinstance(chunk, bytes) else chunk.encode())


class _Written:
    """A file already on disk, handed to Django's move-into-place path."""

    def __init__(self, path):
        self.path = path

    def temporary_file_path(self):
        return self.path


class FileSystemStorage(DjangoFileSystemStorage):
    def _save(self, name, content):
        if hasattr(content, "temporary_file_path"):  # already a whole file on disk: moved
            return super()._save(name, content)
        incoming = os.path.join(self.location, INCOMING)
        os.makedirs(incoming, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=incoming)
        try:
            with os.fdopen(fd, "wb") as out:
                write_chunks(out, content)
            return super()._save(name, _Written(temporary))
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(temporary)
