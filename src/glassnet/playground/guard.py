"""Who may talk to the playground: its own page, on this machine, and whoever holds the launch token.

Every HTTP request and WebSocket handshake passes ``Guard`` before the app sees it:

- **Host** must name this machine (127.0.0.1, localhost, [::1], or the address the server was bound to)
  with the bound port. A foreign site that points its own name at 127.0.0.1 (DNS rebinding) sends its
  own name as Host, so it is refused.
- **Origin**, which browsers send with every WebSocket and cross-site POST, must be that same address:
  a WebSocket or an upload from any other page the user has open is refused.
- What trains, uploads or exports (the WebSocket, ``/api/upload``, ``/api/export``) also needs the
  per-launch secret ``token`` that the URL printed at start carries (as Jupyter does), so that other
  programs and other users of the machine cannot use it either. The page itself is served without it.
"""
from __future__ import annotations

import hmac
import json
import logging
import secrets
from urllib.parse import parse_qs, urlsplit

LOCAL_NAMES = ("127.0.0.1", "localhost", "::1")
NEEDS_TOKEN = ("/ws", "/api/upload/", "/api/export/")
ANY_ADDRESS = ("0.0.0.0", "::", "")
log = logging.getLogger("glassnet.playground")


def new_token() -> str:
    """A fresh secret for one launch of the server (192 random bits)."""
    return secrets.token_urlsafe(24)


class Guard:
    """ASGI middleware that refuses foreign hosts, foreign origins and requests without the token."""

    def __init__(self, app, token: str, bound_host: str = "127.0.0.1"):
        self.app, self.token = app, token
        self.any_host = bound_host in ANY_ADDRESS  # bound to every address: the Host cannot be listed
        self.names = {name.lower().strip("[]") for name in (*LOCAL_NAMES, bound_host)}

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            problem = self.problem(scope)
            if problem is not None:
                log.warning("refused %s %s: %s", scope["type"], scope.get("path"), problem)
                await refuse(scope, send, problem)
                return
        await self.app(scope, receive, send)

    def problem(self, scope) -> str | None:
        """What is wrong with this request, or None if it may pass."""
        headers = {}
        for key, value in scope.get("headers", []):
            headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
        port = (scope.get("server") or (None, None))[1]
        host = headers.get("host", "")
        if not self.local(f"http://{host}", port):
            return f"unknown Host {host!r}: the playground answers only to its own address"
        origin = headers.get("origin")
        if origin is not None and not self.same_origin(origin, host, port):
            return f"a request from another site ({origin!r}) is refused"
        if scope["path"] == "/ws" or scope["path"].startswith(NEEDS_TOKEN):
            token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
            if not hmac.compare_digest(token.encode(), self.token.encode()):
                return "missing or wrong token: open the address (with ?token=...) that `glassnet playground` printed"
        return None

    def local(self, url: str, port: int | None) -> bool:
        """``url`` names this machine on the bound port."""
        try:
            parts = urlsplit(url)
            url_port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        known = self.any_host or parts.hostname.lower() in self.names
        return known and (port is None or url_port == port)

    def same_origin(self, origin: str, host: str, port: int | None) -> bool:
        return self.local(origin, port) and urlsplit(origin).netloc.lower() == host.lower()


async def refuse(scope, send, problem: str) -> None:
    """403 for a request; a WebSocket handshake closed before it is accepted is a 403 too."""
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": problem[:120]})
        return
    body = json.dumps({"error": problem}).encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
