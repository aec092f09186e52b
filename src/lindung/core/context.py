"""Per-request context (request id, client address) for logs and audit entries."""

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("lindung_request_id", default="")
client_ip_var: contextvars.ContextVar[str] = contextvars.ContextVar("lindung_client_ip", default="")


class RequestIdLogFilter(logging.Filter):
    """Puts the request id on every log line, so logs and audit entries can be joined."""

    def filter(self, record):
        record.request_id = request_id_var.get() or "-"
        return True
