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


SECURITY = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}

# Production is served over HTTPS (its session cookie is Secure): browsers are told to use nothing else.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    production = app.config["TICKETDESK_ENV"] == "production"

    defaults = {**SECURITY, "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY} if production else SECURITY

    @app.after_request
    def security_headers(response):
        headers = response.headers
        for name, value in defaults.items():  # a view's own value stands (not `setdefault`, which raises
            if name not in headers:  # and catches an exception for each header it adds)
                headers[name] = value
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
