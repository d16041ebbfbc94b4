"""Security and caching headers on every response. All JavaScript lives in static files, so the policy
allows no inline script; charts are SVG attributes, so no inline style either."""
from flask import Flask, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
])


# Production is served over HTTPS (its session cookie is Secure): browsers are told to use nothing else.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    production = app.config["TICKETDESK_ENV"] == "production"

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if production:
            response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
        if request.endpoint != "static":  # static files keep Flask's own revalidation headers
            response.headers["Cache-Control"] = cache_control(request.path)
        return response


def cache_control(path: str) -> str:
    """Pages show tickets and carry CSRF tokens: kept by no cache, not even the browser's Back cache. API
    answers may be kept by the client only (never a shared proxy) and are checked again each time, so
    `ETag`/304 revalidation works."""
    if path == "/api" or path.startswith("/api/"):
        return "private, no-cache"
    return "no-store"
