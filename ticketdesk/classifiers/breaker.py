"""A circuit breaker for a classifier that keeps failing: after `failures` failures in a row it is not
asked for `cooldown` seconds, so agents don't wait on a dead provider at every keystroke; then one call
tries it again, and a success closes the circuit.

Written here rather than taken from pybreaker, which holds its lock for the whole guarded call and would
queue every thread of a worker behind one slow provider. State is per process: each gunicorn worker
learns on its own, at the cost of at most `failures` slow answers.
"""
import threading
import time


class CircuitBreaker:
    def __init__(self, failures: int = 3, cooldown: float = 30.0, clock=time.monotonic):
        self.failures = failures
        self.cooldown = cooldown
        self.clock = clock
        self.last_error = ""
        self._lock = threading.Lock()
        self._count = 0
        self._open_until = 0.0
        self._trial = False

    def allow(self) -> bool:
        """Whether to ask the provider now; after the cool-down, only one caller at a time tries it."""
        with self._lock:
            if self._count < self.failures:
                return True
            if self.clock() < self._open_until or self._trial:
                return False
            self._trial = True
            return True

    def succeeded(self) -> None:
        with self._lock:
            self._count, self._trial = 0, False

    def failed(self, error: str) -> None:
        with self._lock:
            self._count += 1
            self._trial = False
            self.last_error = error
            if self._count >= self.failures:
                self._open_until = self.clock() + self.cooldown
