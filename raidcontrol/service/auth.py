"""Who may write: bearer tokens and roles as FastAPI dependencies.

No token (or an unknown or revoked one) → 401; a valid token of another role → 403.  Reads
are public; the audit trail is for any official.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from raidcontrol.service.users import User

bearer = HTTPBearer(
    auto_error=False, description="An official's token (`raidcontrol users add NAME --role ROLE`)."
)


BEARER = Depends(bearer)


async def official(request: Request, creds: HTTPAuthorizationCredentials | None = BEARER) -> User:
    """The authenticated official (any role)."""
    if creds is None or not creds.credentials:
        raise HTTPException(
            401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    users = request.app.state.users
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(users.authenticate, creds.credentials)
    if user is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return user


OFFICIAL = Depends(official)


def role(name: str):
    """A dependency admitting only officials of role ``name``."""

    async def check(user: User = OFFICIAL) -> User:
        if user.role != name:
            raise HTTPException(403, f"this write is for the {name} role (you are {user.role})")
        return user

    check.__name__ = f"role_{name}"
    return check
