"""One structured log line per request, tied to an id the client can quote (`X-Request-ID`).

The line holds method, path (never the query string or body), status, duration and the id: no key,
secret or ticket text ever reaches it. A proxy's id is kept if it looks like one; otherwise one is made.
"""
import json
import logging
import re
import time
import uuid

from flask import Flask, g, request

log = logging.getLogger("ticketdesk.request")
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def init_app(app: Flask) -> None:
    @app.before_request
    def start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if ACCEPTED_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        log.info(json.dumps({
            "method": request.method, "path": request.path, "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "request_id": request_id,
        }))
        return response
