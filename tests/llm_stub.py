"""A local HTTP server that speaks the wire protocols of OpenAI's chat completions and Gemini's
generateContent, so the real SDKs can be tested without the internet. Tests script its replies."""
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

OPENAI_PATH = re.compile(r"^/v1/chat/completions$")
GEMINI_PATH = re.compile(r"^/(v1|v1beta)/models/(?P<model>[^/:]+):generateContent$")


@dataclass
class Reply:
    text: str | None = None  # the model's answer text
    status: int = 200
    body: dict | None = None  # a raw error body
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict
    body: dict


class StubLLM:
    def __init__(self):
        self.requests: list[Request] = []
        self.replies: deque[Reply] = deque()
        self.default = Reply(text='{"category": "account", "priority": "critical"}')
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw or b"{}")
                stub.requests.append(Request(self.path.split("?")[0], {k.lower(): v for k, v in self.headers.items()}, body))
                reply = stub.replies.popleft() if stub.replies else stub.default
                if reply.delay:
                    time.sleep(reply.delay)
                path = self.path.split("?")[0]
                if OPENAI_PATH.match(path):
                    payload = stub.openai_body(reply, body)
                elif match := GEMINI_PATH.match(path):
                    payload = stub.gemini_body(reply, match["model"])
                else:
                    reply, payload = Reply(status=404), {"error": {"message": f"no route {path}"}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test); nothing to answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    @staticmethod
    def openai_body(reply: Reply, request: dict) -> dict:
        if reply.status != 200:
            return reply.body or {"error": {"message": "stub error", "type": "server_error", "code": None}}
        return {"id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                "model": request.get("model", "stub"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": reply.text}}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}

    @staticmethod
    def gemini_body(reply: Reply, model: str) -> dict:
        if reply.status != 200:
            return reply.body or {"error": {"code": reply.status, "message": "stub error", "status": "INTERNAL"}}
        return {"candidates": [{"content": {"role": "model", "parts": [{"text": reply.text}]},
                                "finishReason": "STOP", "index": 0}],
                "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15},
                "modelVersion": model}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
