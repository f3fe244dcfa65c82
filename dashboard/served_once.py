"""A download's file is served once: its URL cannot be fetched a second time.

A download button's file is made and audited when it is pressed (``dashboard.trail``), then
Streamlit keeps it in its in-memory media store and hands the browser a URL,
``/media/<id>.<ext>``.  Left alone, that URL answers anyone who has it, again and again,
without the session and without an audit entry, until the store's clean-up drops the file.

:func:`install` wraps the store once per process (``dashboard.navigation.serve`` calls it on
every run; only the first call does anything):

* a downloadable file gets a random id of its own (Streamlit's is a hash of the content, the
  same for two users downloading the same file);
* the ``/media`` route's GET of a downloadable file takes it out of the store as it is served,
  so the next GET of that URL, from anyone, is a 404.  A pressed button makes and audits a new
  file (and URL) each time.  A range request takes the file too: a browser's download asks
  for the whole file;
* two requests do not take it: a HEAD (headers only), and the check the browser's own script
  makes before it starts the download (``fetch``, ``Sec-Fetch-Dest: empty``), which gets an
  empty body instead of the file.  A script fetching the URL gets nothing.

The route is recognised by its function's name (``_media_endpoint`` in Streamlit 1.67's
``web/server/starlette/starlette_routes.py``).  Any other reader is served the file and takes
it, except Streamlit's own look-ups while it makes the URL (``get_url``), so a change in
Streamlit fails closed: downloads fail (``tests/browser/test_security_browser.py`` says so)
rather than become fetchable twice.
"""

from __future__ import annotations

import os
import sys
import threading
import uuid
from types import FrameType
from typing import Any

from streamlit import runtime
from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryFile, MemoryMediaFileStorage

_INSTALLED = "_workforce_served_once"
_ROUTE = "_media_endpoint"  # Streamlit's /media handler
_MAKING_URL = "get_url"  # the store's own look-up while it makes a URL
_LOCK = threading.Lock()


def install() -> bool:
    """Wrap the running server's media store (once); False when there is no server (a test
    under AppTest) or the store is not Streamlit's in-memory one."""
    if not runtime.exists():
        return False
    storage = runtime.get_instance().media_file_mgr._storage  # no public handle
    if not isinstance(storage, MemoryMediaFileStorage):
        return False
    with _LOCK:
        if not getattr(storage, _INSTALLED, False):
            _wrap(storage)
            setattr(storage, _INSTALLED, True)
    return True


def _request(frame: FrameType | None) -> Any | None:
    """The HTTP request being served, when the caller is the /media route."""
    if frame is not None and frame.f_code.co_name == _ROUTE:
        return frame.f_locals.get("request")
    return None


def _is_page_check(request: Any) -> bool:
    """The browser's own script checking the URL (``fetch``), not the download itself."""
    headers = request.headers
    return headers.get("sec-fetch-dest") == "empty" and headers.get("sec-fetch-mode") in (
        "cors",
        "same-origin",
        "no-cors",
    )


def _wrap(storage: MemoryMediaFileStorage) -> None:
    load_and_get_id = storage.load_and_get_id
    get_file = storage.get_file
    files: dict[str, MemoryFile] = storage._files_by_id

    def load_once(
        path_or_data: str | bytes,
        mimetype: str,
        kind: MediaFileKind,
        filename: str | None = None,
    ) -> str:
        if kind != MediaFileKind.DOWNLOADABLE:
            return load_and_get_id(path_or_data, mimetype, kind, filename)
        data = path_or_data
        if isinstance(data, str):  # a path: Streamlit reads the file
            data = storage._read_file(data)
        file_id = uuid.uuid4().hex
        files[file_id] = MemoryFile(data, mimetype, kind, filename)
        return file_id

    def get_once(filename: str) -> MemoryFile:
        file = get_file(filename)
        if file.kind != MediaFileKind.DOWNLOADABLE:
            return file
        caller = sys._getframe(1)
        if caller.f_code.co_name == _MAKING_URL:
            return file
        request = _request(caller)
        if request is not None and request.method == "HEAD":
            return file
        if request is not None and _is_page_check(request):
            return file._replace(content=b"")
        # Served now, so taken out now: the route runs on one event loop, and nothing else
        # serves the file between this look-up and its removal.
        if files.pop(os.path.splitext(filename)[0], None) is None:
            raise MediaFileStorageError(f"{filename} has already been served")
        return file

    storage.load_and_get_id = load_once  # type: ignore[method-assign]
    storage.get_file = get_once  # type: ignore[method-assign]
