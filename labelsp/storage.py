"""Where uploaded business documents live: the "private" storage, outside any public URL.

Files are only ever served by views that first check permissions (see labelsp/uploads.py).
"""

from django.core.files.storage import storages


def private_storage():
    return storages["private"]
