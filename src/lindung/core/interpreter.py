"""Interpreter settings for a process whose work is bulk: ``bulk_process``.

Python's collector of reference cycles runs every few hundred objects made and walks the young
ones, now and then all of them. Storing a received page makes tens of thousands of dicts and rows,
none of them in a cycle, and the collector walked them again and again: about a tenth of the CPU
time of a page. A pull also reads the next page in a thread of its own, in thousands of small
chunks, needing the interpreter lock after each; the storing thread kept it for the default 5 ms
every time, so that reading a page took longer than storing one. Measured on the sharing bench
(``python bench/run.py sharing``), taking both settings away roughly doubles the time of a sync
(see ``lindung.sharing.fastpath``).

Both are the whole process's settings, not a thread's. In a threaded web server, one request's
``gc.enable()`` in a ``finally`` switches the collector back on under another request still
running without it, or leaves it off for good; so they are applied only where a process starts its
work: the ``sharing sync`` command, and the worker around each task it runs. ``bulk_process``
refuses to run outside the main thread.
"""

import contextlib
import gc
import sys
import threading

# Short enough for a fetching thread to read a page while another stores the one before.
SWITCH_INTERVAL = 0.0005  # seconds


@contextlib.contextmanager
def bulk_process():
    """Pause the cycle collector and shorten the switch interval for the block; both are restored after it."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("bulk_process() changes the whole process: use it at a process's entry point")
    enabled, interval = gc.isenabled(), sys.getswitchinterval()
    gc.disable()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if enabled:
            gc.enable()
