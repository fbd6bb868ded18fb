"""The server with hand-made clients: isolation, limits, bad input, many tabs at once."""
import contextlib
import json
import socket
import threading
import time

import pytest

httpx = pytest.importorskip("httpx")

connect = pytest.importorskip("websockets.sync.client").connect


class Tab:
    """A hand-made WebSocket client standing in for a browser tab."""

    def __init__(self, server, token):
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(f"{server.replace('http', 'ws')}/ws?token={token}", max_size=None))
        self.id = self.expect("session")["id"]
        self.layout = self.expect("reset")
        self.state = self.expect("state")

    def send(self, message):
        self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    def expect(self, kind, timeout=30):
        """The next message of type ``kind`` (states and others before it are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if message["type"] == kind:
                return message

    def close(self):
        self.stack.close()


def sessions(server) -> int:
    return httpx.get(server + "/api/status").json()["sessions"]


def wait_for_sessions(server, count, timeout=10):
    deadline = time.monotonic() + timeout
    while sessions(server) != count:
        assert time.monotonic() < deadline, f"{sessions(server)} sessions open, expected {count}"
        time.sleep(0.1)


def test_page_and_schema_are_served_from_the_package(server, token):
    page = httpx.get(server + "/")
    assert page.status_code == 200 and "glassnet Playground" in page.text
    assert "http" not in page.text.replace('href="data:,"', "")  # nothing from outside
    assert httpx.get(server + "/static/playground.js").status_code == 200
    assert httpx.get(server + "/api/schema").json()["maxHiddenLayers"] == 6


def test_bad_input_is_refused_clearly_while_others_are_served(server, token):
    busy, tab = Tab(server, token), Tab(server, token)
    busy.send({"type": "play"})
    assert busy.expect("playing")["playing"] is True
    first_epoch = busy.expect("state")["epoch"]
    refusals = [
        ({"type": "config", "settings": {"networkShape": [3] * 1000}}, "at most 6 hidden layers, got 1000"),
        ({"type": "config", "settings": {"learningRate": "abc"}}, "learningRate must be a number, got 'abc'"),
        ('{"type": "config", "settings": {', "malformed JSON"),
        ({"type": "config", "settings": {"dataset": "imagenet"}}, "unknown dataset 'imagenet'"),
        ({"type": "config", "settings": "fast"}, "settings must be an object"),
        ({"type": "fly"}, "unknown message type 'fly'"),
        ([1, 2, 3], 'a JSON object with a "type"'),
        ({"type": "upload", "points": []}, "not a message a page may send"),
        ({"type": "setWeight", "layer": 99, "to": 0, "from": 0, "value": 1}, "setWeight: layer must be"),
        (b"\x00\x01", "not binary"),
        ({"type": "config", "settings": {"x": "1" * 70_000}}, "message too long"),
        ({"type": "config", "settings": {"dataset": "upload"}}, "upload one first"),
    ]
    for message, words in refusals:
        tab.send(message)
        assert words in tab.expect("error")["message"], message
    # hand-made HTTP requests: a 10 GB upload, a stream past the limit, unknown sessions and formats
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as raw:  # declares 10 GB, sends the first 60 kB
        raw.sendall(f"POST /api/upload/{tab.id}?token={token} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {10 * 1024**3}\r\n"
                    f"Content-Type: text/csv\r\n\r\n".encode() + b"0,0,1\n" * 10_000)
        raw.settimeout(10)
        answer = b""
        while not answer.endswith(b"}"):
            answer += raw.recv(65536)
        answer = answer.decode()
    assert answer.startswith("HTTP/1.1 413") and "upload too large: 10737418240 bytes" in answer
    streamed = httpx.post(f"{server}/api/upload/{tab.id}?token={token}", content=iter([b"0,0,1\n" * 100_000] * 3))
    assert streamed.status_code == 413 and "over 1,000,000 bytes" in streamed.json()["error"]
    bad_csv = httpx.post(f"{server}/api/upload/{tab.id}?token={token}", content=b"a,b\n1,2\n")
    assert bad_csv.status_code == 400 and "CSV" in bad_csv.json()["error"]
    assert httpx.post(f"{server}/api/upload/nope?token={token}", content=b"1,2,3").status_code == 404
    assert httpx.get(f"{server}/api/export/{tab.id}/model.exe?token={token}").status_code == 404
    # a flood of commands from one tab: it waits for its own turns, the busy tab keeps its frames
    for _ in range(80):  # more than the server queues for one tab
        tab.send({"type": "config", "settings": {"seed": _}})
    flood_epoch = busy.expect("state")["epoch"]
    assert busy.expect("state", timeout=10)["epoch"] > flood_epoch
    # the tab that sent all this still works, and the busy one kept training meanwhile
    tab.send({"type": "config", "settings": {"dataset": "xor", "networkShape": [3]}})
    while (layout := tab.expect("reset"))["settings"]["dataset"] != "xor":
        pass  # the flood's resets come first
    assert layout["shape"] == [2, 3, 1]
    assert busy.expect("state")["epoch"] > first_epoch
    busy.close()
    tab.close()


def test_ten_tabs_train_at_once_and_closing_frees_their_sessions(server, token, shots):
    before = sessions(server)
    tabs = [Tab(server, token) for _ in range(10)]
    assert sessions(server) == before + 10
    for i, tab in enumerate(tabs):
        tab.send({"type": "config", "settings": {"dataset": "spiral", "networkShape": [8, 8], "seed": i}})
        tab.expect("reset")
        tab.send({"type": "play"})
    counts, epochs, window = [0] * 10, [[] for _ in tabs], 6.0

    def listen(i):
        deadline = time.monotonic() + window
        while time.monotonic() < deadline:
            state = tabs[i].expect("state")
            counts[i] += 1
            epochs[i].append(state["epoch"])
            tabs[i].state = state

    threads = [threading.Thread(target=listen, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    rates = [count / window for count in counts]
    figure = f"10 tabs: page updates per second per tab min {min(rates):.1f}, median {sorted(rates)[5]:.1f}"
    print(figure)
    with open(shots / "measurements.txt", "a") as log:
        log.write(figure + "\n")
    assert min(rates) >= 1.0, rates
    assert all(e[-1] > e[len(e) // 2] for e in epochs), "a tab stopped training"
    assert len({t.state["testLoss"] for t in tabs}) == 10  # each tab trains its own network
    for tab in tabs:
        tab.close()
    wait_for_sessions(server, before)


def test_a_full_server_says_so(server, token, monkeypatch):
    from glassnet.playground import server as server_module

    monkeypatch.setattr(server_module, "MAX_SESSIONS", sessions(server) + 1)
    first = Tab(server, token)
    with connect(f"{server.replace('http', 'ws')}/ws?token={token}") as refused:
        assert "the server is full (" in json.loads(refused.recv(timeout=10))["message"]
    first.close()


def test_cli_serves_the_playground(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {"PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"), "PATH": ""}
    process = subprocess.Popen([sys.executable, "-m", "glassnet.cli", "playground", "--no-browser", "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/status").json()["sessions"] == 0
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the playground did not start"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(10)
    bad = subprocess.run([sys.executable, "-m", "glassnet.cli", "playground", "--port", "70000"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "--port must be 1 to 65535, got 70000" in bad.stderr
