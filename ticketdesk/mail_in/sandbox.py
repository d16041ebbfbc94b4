"""Reading a mail in a child process with a hard time limit and a memory cap (pebble's process pool), so
whatever a sender crafts (a parser path that grows faster than the mail, a tree that exhausts the stack) costs
the desk at most MAIL_PARSE_SECONDS and never the process that serves agents or holds a transaction.

The pool is per process (a gunicorn worker, the job worker, `flask mail ingest`), started on first use with
the forkserver method: a child starts from a clean interpreter, never a copy of a worker holding database
connections. A child that runs out of time is killed and replaced."""
import atexit
import multiprocessing
import os
import resource
import threading
from concurrent.futures import TimeoutError as Timeout
from concurrent.futures.process import BrokenProcessPool

from pebble import ProcessPool
from pebble.common import ProcessExpired

MEMORY = 2 * 1024 ** 3  # address space a child may use: a parse that needs more fails, it does not swap the host
CHILDREN = 2
PRELOADED = "ticketdesk.mail_in.reading"

_pool: ProcessPool | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


class TooSlow(Exception):
    """The mail could not be read within the time (or memory) allowed."""


def start(function, *args, seconds: float):
    """`function(*args)`, begun now in a child process; returns what to call for its answer, which waits for
    it and raises TooSlow when it took longer than `seconds` or the child died, else whatever `function`
    raised. The time limit counts from when a child takes it up, so work queued behind other work is not
    cut short."""
    future = _get_pool().schedule(function, args=args, timeout=seconds)

    def answer():
        try:
            return future.result()
        except Timeout:
            raise TooSlow(f"reading it took longer than the {seconds:g} s allowed (MAIL_PARSE_SECONDS)") from None
        except (ProcessExpired, MemoryError) as died:
            raise TooSlow(f"reading it needed more memory than a mail may ({type(died).__name__})") from None
        except BrokenProcessPool as broken:  # no child could start; the next mail starts a new pool
            _discard()
            raise TooSlow(f"no process could be started to read it ({broken})") from None

    return answer


def _limit_memory() -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    except (ValueError, OSError):  # a platform or container that does not allow it: the time limit still holds
        pass


def _get_pool() -> ProcessPool:
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid() or not _pool.active:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([PRELOADED])  # imported once by the server; each child forks from it
            _pool = ProcessPool(max_workers=CHILDREN, initializer=_limit_memory, context=context)
            _pool_pid = os.getpid()
        return _pool


def _discard() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.stop()
        _pool = None


@atexit.register
def _stop() -> None:
    if _pool is not None and _pool_pid == os.getpid():
        _pool.stop()
        _pool.join(timeout=5)
