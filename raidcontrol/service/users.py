"""Officials and their bearer tokens, in a ``users`` table of the journal's database.

A token is ``rc_<user id>_<secret>``; only its argon2 hash is stored (argon2-cffi), so the
token is shown once, when the user is added.  Revoking sets ``revoked_at`` (the row stays,
for the audit trail).  Columns: ``id`` (int), ``name`` (text, unique), ``role`` (text, one of
``ROLES``), ``token_hash`` (argon2 encoded hash), ``created_at`` and ``revoked_at`` (UTC
datetimes; ``revoked_at`` null while the token is valid).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from raidcontrol.core.errors import InputError

ROLES = ("timekeeper", "steward", "scrutineer", "clerk", "tracking")
TOKEN_PREFIX = "rc"


class _Base(DeclarativeBase):
    pass


class UserRow(_Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None


def _user(row: UserRow) -> User:
    return User(row.id, row.name, row.role, row.created_at, row.revoked_at)


class Users:
    """The users of one database; ``engine`` may be shared with the journal store."""

    def __init__(self, engine):
        from argon2 import PasswordHasher

        self.engine = engine
        self.hasher = PasswordHasher()
        _Base.metadata.create_all(engine)
        self._verified: dict[str, int] = {}  # sha256 of a token already verified → user id

    @classmethod
    def at(cls, url: str) -> Users:
        return cls(create_engine(url))

    def add(self, name: str, role: str) -> tuple[User, str]:
        """Add an official; returns the user and the token (shown once, stored hashed)."""
        if role not in ROLES:
            raise InputError(f"unknown role {role!r} (one of {', '.join(ROLES)})", field="--role")
        if not name.strip():
            raise InputError("a name is required", field="NAME")
        with Session(self.engine) as session, session.begin():
            if session.scalar(select(UserRow).where(UserRow.name == name)) is not None:
                raise InputError(
                    f"user {name!r} exists already (revoke it, then add another name)", field="NAME"
                )
            row = UserRow(name=name, role=role, token_hash="", created_at=datetime.now(UTC))
            session.add(row)
            session.flush()
            token = f"{TOKEN_PREFIX}_{row.id}_{secrets.token_urlsafe(32)}"
            row.token_hash = self.hasher.hash(token)
            return _user(row), token

    def list(self) -> list[User]:
        with Session(self.engine) as session:
            return [_user(r) for r in session.scalars(select(UserRow).order_by(UserRow.id))]

    def revoke(self, name: str) -> User:
        with Session(self.engine) as session, session.begin():
            row = session.scalar(select(UserRow).where(UserRow.name == name))
            if row is None:
                raise InputError(f"no user {name!r}", field="NAME")
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
            return _user(row)

    def authenticate(self, token: str) -> User | None:
        """The valid (not revoked) user holding ``token``, else None."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isdigit():
            return None
        with Session(self.engine) as session:
            row = session.get(UserRow, int(parts[1]))
            if row is None or row.revoked_at is not None:
                return None
            fingerprint = hashlib.sha256(token.encode()).hexdigest()
            if self._verified.get(fingerprint) != row.id:
                if not self._verify(row.token_hash, token):
                    return None
                self._verified[fingerprint] = row.id
            return _user(row)

    def _verify(self, token_hash: str, token: str) -> bool:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self.hasher.verify(token_hash, token)
        except (VerificationError, InvalidHashError):
            return False
