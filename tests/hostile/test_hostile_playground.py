"""`glassnet playground` against foreign pages, hand-made clients and hostile messages.

Each case starts its own server (the real command, in its own process group), attacks it, and ends by
stopping it with SIGTERM or Ctrl+C: whatever the clients sent, the server must be gone within a second
and leave no process behind.
"""
from __future__ import annotations

import contextlib
import json
import re
import signal
import socket
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
sync_client = pytest.importorskip("websockets.sync.client")
websockets_exceptions = pytest.importorskip("websockets.exceptions")

STOP_SECONDS = 1.0


def strict_json(text: str):
    """JSON as a browser's JSON.parse reads it: NaN and Infinity are not JSON."""
    def refuse(constant):
        raise ValueError(f"bare {constant} in a message to the page")
    return json.loads(text, parse_constant=refuse)


class Playground:
    """A running `glassnet playground`: its address, its token and clients for it."""

    def __init__(self, hostile):
        self.hostile = hostile
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.process = hostile.spawn("playground", "--no-browser", "--port", str(port))
        line = hostile.wait_for_output(self.process, r"http://\S+")
        url = re.search(r"http://\S+", line).group(0)
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.token = parse_qs(urlsplit(url).query).get("token", [""])[0]
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.base + "/api/status", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and self.process.poll() is None, "the server did not start"
                time.sleep(0.1)

    def ws_url(self, token: str | None = None) -> str:
        return f"ws://127.0.0.1:{self.port}/ws?token={self.token if token is None else token}"

    def tab(self, **options) -> "Tab":
        return Tab(self, **options)

    def sessions(self) -> int:
        return httpx.get(self.base + "/api/status", timeout=10).json()["sessions"]

    def stop(self, sig=signal.SIGTERM):
        """Stop the server with ``sig``; it must be gone within STOP_SECONDS."""
        start = time.monotonic()
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=30)
        except Exception:
            pass
        seconds = time.monotonic() - start
        result = self.hostile.stop(self.process, sig)
        print(f"stopped {seconds:.2f} s after signal {sig}")
        assert seconds <= STOP_SECONDS, f"the server took {seconds:.2f} s to stop after signal {sig}"
        assert "Traceback" not in result.stderr, result.stderr
        return result


class Tab:
    """A hand-made WebSocket client; every read has a timeout and checks the message is strict JSON."""

    def __init__(self, playground, url=None, **options):
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(
            sync_client.connect(url or playground.ws_url(), max_size=None, open_timeout=10, **options))
        self.id = self.expect("session")["id"]

    def send(self, message):
        self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    def expect(self, kind, timeout=60, seen=None):
        deadline = time.monotonic() + timeout
        while True:
            message = strict_json(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if seen is not None:
                seen.append(message)
            if message["type"] == kind:
                return message

    def close(self):
        self.stack.close()


@pytest.fixture
def playground(hostile):
    return Playground(hostile)


def refused_handshake(url, **options) -> bool:
    try:
        with sync_client.connect(url, open_timeout=10, **options):
            pass
    except websockets_exceptions.InvalidStatus as error:
        return error.response.status_code in (400, 401, 403)
    return False


def test_a_foreign_page_cannot_open_a_websocket(playground):
    for origin in ("http://evil.example", "null", "http://127.0.0.1.evil.example", f"http://localhost:{playground.port + 1}"):
        assert refused_handshake(playground.ws_url(), origin=origin), origin
    assert playground.sessions() == 0
    own = playground.tab(origin=f"http://127.0.0.1:{playground.port}")  # the playground's own page
    own.close()
    playground.stop()


def test_a_foreign_host_name_is_refused_against_dns_rebinding(playground):
    tab = playground.tab()
    foreign = {"host": f"evil.example:{playground.port}"}
    assert httpx.get(playground.base + "/", headers=foreign, timeout=10).status_code in (400, 403)
    export = httpx.get(f"{playground.base}/api/export/{tab.id}/model.py?token={playground.token}",
                       headers=foreign, timeout=10)
    assert export.status_code in (400, 403) and "import" not in export.text
    with socket.create_connection(("127.0.0.1", playground.port), timeout=10) as raw:
        raw.sendall(f"GET /ws?token={playground.token} HTTP/1.1\r\nHost: evil.example:{playground.port}\r\n"
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n".encode())
        assert raw.recv(100).split(b"\r\n")[0] in (b"HTTP/1.1 403 Forbidden", b"HTTP/1.1 400 Bad Request")
    assert httpx.get(playground.base + "/", timeout=10).status_code == 200  # its own name still works
    tab.close()
    playground.stop()


def test_a_cross_site_upload_is_refused_and_changes_nothing(playground):
    tab = playground.tab()
    tab.expect("state")
    answer = httpx.post(f"{playground.base}/api/upload/{tab.id}?token={playground.token}",
                        content=b"0,0,0\n1,1,1\n2,2,0\n3,3,1\n4,4,0\n",
                        headers={"origin": "http://evil.example", "content-type": "text/plain"}, timeout=10)
    assert answer.status_code == 403, answer.text
    tab.send({"type": "reset"})
    assert tab.expect("reset")["settings"]["dataset"] == "circle"  # the upload never reached the session
    tab.close()
    playground.stop()


def test_training_uploads_and_exports_need_the_launch_token(playground):
    assert len(playground.token) >= 16, "the printed URL carries no token"
    assert httpx.get(playground.base + "/", timeout=10).status_code == 200  # the page itself is public
    for token in ("", "wrong", playground.token[:-1]):
        assert refused_handshake(playground.ws_url(token)), token
    tab = playground.tab()
    csv = b"0,0,0\n1,1,1\n2,2,0\n3,3,1\n"
    for token in ("", "?token=nope"):
        assert httpx.post(f"{playground.base}/api/upload/{tab.id}{token}", content=csv, timeout=10).status_code == 403
        assert httpx.get(f"{playground.base}/api/export/{tab.id}/model.gn{token}", timeout=10).status_code == 403
    good = httpx.get(f"{playground.base}/api/export/{tab.id}/model.gn?token={playground.token}", timeout=30)
    assert good.status_code == 200 and len(good.content) > 100
    tab.close()
    playground.stop()


def test_every_malformed_message_is_an_error_frame_and_the_session_lives_on(playground):
    tab = playground.tab()
    hostile_messages = [
        "[" * 30000 + "]" * 30000,                               # deeper than the parser's recursion
        '{"type": "config", "settings": {"seed": ' + "9" * 5000 + "}}",  # an integer over Python's digit limit
        '{"type": "config", "settings": {"learningRate": NaN}}',
        '{"type": "config", "settings": {"learningRate": 1e999}}',
        '{"type": "setWeight", "layer": 0, "to": 0, "from": 0, "value": Infinity}',
        '{"type": "\\ud800"}',
        '{"type": "config", "settings": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}",
        "\u0000",
    ]
    for message in hostile_messages:
        tab.send(message)
        error = tab.expect("error")
        assert error["message"] and "Traceback" not in error["message"], message[:40]
    tab.send({"type": "config", "settings": {"dataset": "xor"}})
    while tab.expect("reset")["settings"]["dataset"] != "xor":
        pass
    assert playground.sessions() == 1
    tab.close()
    playground.stop()


def test_sessions_are_freed_whatever_their_tabs_sent(playground):
    for _ in range(3):  # more hostile tabs than the server has sessions
        tabs = [playground.tab() for _ in range(12)]
        for tab in tabs:
            tab.send("[" * 30000 + "]" * 30000)
        for tab in tabs:
            tab.close()
    deadline = time.monotonic() + 10
    while playground.sessions() != 0:
        assert time.monotonic() < deadline, f"{playground.sessions()} sessions never freed"
        time.sleep(0.1)
    fresh = playground.tab()
    fresh.expect("state")
    fresh.close()
    playground.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_the_server_stops_within_a_second_whatever_clients_are_doing(playground, sig):
    playing = playground.tab()
    playing.send({"type": "play"})
    playing.expect("playing")
    nested = playground.tab()
    nested.send("[" * 30000 + "]" * 30000)
    silent = socket.create_connection(("127.0.0.1", playground.port), timeout=10)  # a WebSocket that never reads
    silent.sendall(f"GET /ws?token={playground.token} HTTP/1.1\r\nHost: 127.0.0.1:{playground.port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    slow = socket.create_connection(("127.0.0.1", playground.port), timeout=10)  # an upload that never ends
    slow.sendall(f"POST /api/upload/{playing.id}?token={playground.token} HTTP/1.1\r\n"
                 f"Host: 127.0.0.1:{playground.port}\r\nContent-Length: 900000\r\n\r\n0,0,1\n".encode())
    half = socket.create_connection(("127.0.0.1", playground.port), timeout=10)  # a request never finished
    half.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0")
    time.sleep(1.0)
    try:
        playground.stop(sig)
    finally:
        for connection in (silent, slow, half):
            connection.close()


def test_a_diverging_network_is_reported_never_sent_as_bare_nan(playground):
    tab = playground.tab()
    tab.send({"type": "config", "settings": {"learningRate": 10, "activation": "relu", "networkShape": [8, 8, 8],
                                             "dataset": "reg-gauss"}})
    tab.expect("reset")
    tab.send({"type": "play"})
    seen, diverged = [], None
    deadline = time.monotonic() + 30
    while diverged is None and time.monotonic() < deadline:
        state = tab.expect("state", seen=seen)  # strict_json fails on a bare NaN
        diverged = state.get("diverged")
    assert diverged, "training never reported that it diverged"
    assert "learning rate" in diverged and "reset" in diverged
    assert any(m["type"] == "playing" and m["playing"] is False for m in seen + [tab.expect("playing")])
    tab.send({"type": "reset"})
    assert tab.expect("state").get("diverged") is None
    tab.close()
    playground.stop()


def test_uploads_with_subnormal_or_huge_numbers_are_refused_clearly(playground):
    tab = playground.tab()
    url = f"{playground.base}/api/upload/{tab.id}?token={playground.token}"
    cases = {
        b"1e-320,2e-320,0\n-1e-320,3e-320,1\n2e-320,-1e-320,0\n1e-321,1e-321,1\n": "too close to 0",
        b"0,0,0\n1,1,1\n2,2,0\n3,3,1e300\n": "row 4",
        b"0,0,0\n1,1,1\n2,nan,0\n3,3,1\n": "row 3",
        b"0,0,0\n1,1,1\n2,2,0\n3,1e400,1\n": "row 4",
    }
    for content, words in cases.items():
        answer = httpx.post(url, content=content, timeout=10)
        assert answer.status_code == 400, (content, answer.status_code, answer.text)
        assert words in answer.json()["error"], answer.json()
    tab.send({"type": "reset"})
    assert tab.expect("reset")["settings"]["dataset"] == "circle"  # no refused upload reached the session
    tab.close()
    playground.stop()


def test_a_busy_port_is_one_clear_line(hostile, playground):
    second = hostile.glassnet("playground", "--no-browser", "--port", playground.port, timeout=30)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert str(playground.port) in second.last_line() and "in use" in second.last_line()
    playground.stop()
