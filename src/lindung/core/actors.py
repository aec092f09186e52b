"""Who acts when no person does: ``SYSTEM``.

Services take ``acting_user``. The demo loader, the operator's commands and scheduled jobs act as
``SYSTEM``, never as ``None``: ``None`` used to mean "skip the policy", so a caller that lost its
user wrote with no check at all and nothing said so. Now ``None`` is refused (``require_actor``),
the policy lets ``SYSTEM`` do everything (whoever runs commands on the server holds the keys
anyway), and the audit log records it as "system".
"""


class SystemActor:
    """Not a user: no row, no memberships. ``is_authenticated`` so that the audit log names it
    (``audit_record`` records an authenticated actor's username); the policy recognises it first."""

    pk = id = None
    is_authenticated = True
    is_anonymous = False
    is_active = True
    username = "system"

    def get_username(self) -> str:
        return self.username

    def __str__(self) -> str:
        return self.username

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def require_actor(acting_user):
    """``acting_user``, unless it is None (a caller that lost its user, or old code)."""
    if acting_user is None:
        raise TypeError(
            "acting_user is None: pass the user who acts, or lindung.core.actors.SYSTEM for a system job"
        )
    return acting_user


def user_of(acting_user):
    """The user to store in a "recorded by" column: the acting user, or None for the system."""
    return None if is_system(require_actor(acting_user)) else acting_user
