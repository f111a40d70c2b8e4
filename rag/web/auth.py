"""The librarian role: one credential from the environment, kept only as a salted scrypt hash, and
the session tokens that both the REST admin routes and the Library view check.

Why our own layer: Gradio's ``auth=`` keeps sessions in memory too but has no roles and does not
guard FastAPI routes mounted beside it. Clinicians need no login at all; only corpus changes do, so
one small in-memory token table serves both the page (token in the browser session's state) and
REST clients (``Authorization: Bearer`` or the ``rag_librarian`` cookie).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

SESSION_SECONDS = 8 * 3600
COOKIE = "rag_librarian"
ENABLE_HINT = ("set RAG_ADMIN_USER and RAG_ADMIN_PASSWORD in the environment of `python app.py` "
               "(the password is kept only as a salted scrypt hash) and restart the app")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


@dataclass(frozen=True)
class Credential:
    """A user name and the scrypt hash of the password (the plain password is not kept)."""

    user: str
    salt: bytes
    digest: bytes

    @classmethod
    def create(cls, user: str, password: str) -> Credential:
        salt = secrets.token_bytes(16)
        return cls(user, salt, _hash(password, salt))

    def verify(self, user: str, password: str) -> bool:
        """Constant-time comparison of both the name and the password hash."""
        user_ok = hmac.compare_digest(user.encode(), self.user.encode())
        pass_ok = hmac.compare_digest(_hash(password, self.salt), self.digest)
        return user_ok and pass_ok


class Librarians:
    """Login and session tokens for the librarian role."""

    def __init__(self, user: str | None, password: str | None) -> None:
        self.credential = Credential.create(user, password) if user and password else None
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.credential is not None

    def login(self, user: str, password: str) -> str | None:
        """A new session token, or None for wrong credentials (or when the role is not enabled)."""
        if self.credential is None or not self.credential.verify(user or "", password or ""):
            return None
        token = secrets.token_urlsafe(32)
        with self._lock:
            now = time.time()
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
            self._tokens[token] = (self.credential.user, now + SESSION_SECONDS)
        return token

    def user_for(self, token: str | None) -> str | None:
        """The librarian a token belongs to, or None if it is unknown or expired."""
        if not token:
            return None
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or entry[1] < time.time():
                self._tokens.pop(token, None)
                return None
            return entry[0]

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._tokens.pop(token or "", None)

    def token_of(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.cookies.get(COOKIE)

    def require(self, request: Request) -> str:
        """FastAPI dependency: the librarian's name, or HTTP 401 with the JSON error body."""
        user = self.user_for(self.token_of(request))
        if user is None:
            hint = "log in with POST /api/admin/login" if self.enabled else ENABLE_HINT
            raise HTTPException(status_code=401, detail={"error": "a librarian session is required", "hint": hint})
        return user
