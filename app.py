"""The dashboard as an ASGI app with one more route: an export's ZIP, streamed.

``make run`` starts ``streamlit run app.py``: Streamlit serves ``dashboard.py`` exactly as
``streamlit run dashboard.py`` would, plus ``/export/<job>/<token>.zip``. Why a route and not
``st.download_button``: in Streamlit 1.67 a download button's data, even from a callable, is
turned into one ``bytes`` object kept in the server's memory (``MediaFileManager``), so an
export of many gigabytes would have to fit in RAM. Here the archive is produced while it is
sent (``photoimport.export.zipstream``: one read buffer at a time), from the export folder.
The random token kept on the export job stands for the right to download it.
"""

from __future__ import annotations

from collections.abc import Iterator

import streamlit as st
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from photoimport.db.engine import engine_for
from photoimport.errors import PhotoimportError
from photoimport.export.status import open_zip
from photoimport.settings import load_settings


def export_zip(request: Request) -> Response:
    job = int(request.path_params["job"])
    token = str(request.path_params["token"])
    try:
        engine = engine_for(load_settings())
        name, chunks = open_zip(engine, job, token)
    except PhotoimportError as exc:
        return PlainTextResponse(str(exc), status_code=404)
    body: Iterator[bytes] = chunks  # a sync iterator: Starlette runs it in a worker thread
    return StreamingResponse(
        body,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


app = st.App("dashboard.py", routes=[Route("/export/{job:int}/{token}.zip", export_zip)])
