"""Helpers for tests and benchmarks that start servers of their own on 127.0.0.1."""
import http.client
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Return once `url` answers 200. Until `seconds` have passed, any failure to get that answer (refused,
    reset, a read that timed out while workers still boot, a half-written reply) means "not yet"; a
    process that has exited, or the deadline, raises with what it said on stderr."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass  # URLError, ConnectionError and TimeoutError are all OSErrors
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            said = process.stderr.read().decode(errors="replace")[-3000:] if process.stderr else ""
            raise RuntimeError(f"{url} did not answer within {seconds:g} s (exit code {process.poll()}): {said}")
        time.sleep(0.2)
