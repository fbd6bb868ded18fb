"""The playground's ASGI app (Starlette, run by uvicorn).

Each browser tab opens one WebSocket and gets its own ``Session``; the session ends when the socket
closes. One task per tab owns its session: it takes the tab's commands from a queue and, while playing,
asks the one training thread for a frame: a slice of training (the frame's time shared among the
playing tabs, at most ``MAX_UPDATES_PER_SECOND`` mini-batch steps a second) and the new state, which it
sends. The training thread takes the tabs' jobs first come, first served, so the tabs share the CPU in
turns (round robin) and the event loop stays free to answer everyone. Limits on sessions, message size,
queued commands, upload size and steps per second keep one tab from starving the others; bad input
gets an ``error`` message and the session goes on.

``guard.Guard`` admits only the playground's own page (Host, Origin, the launch token). Whatever a tab
sends or does, its session is freed when its socket closes or either of its tasks ends, and the server
stops within a second of SIGTERM or Ctrl+C.
"""
from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import numpy as np
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from . import export, settings as settings_module
from .data import MAX_UPLOAD_BYTES, generate, parse_csv
from .guard import Guard, log, new_token
from .session import Session, finite_or_none
from .settings import SettingsError


class PlaygroundError(Exception):
    """The server cannot start (a port in use, an unknown address): one line for the user."""

MAX_SESSIONS = 32
MAX_MESSAGE_BYTES = 64_000
MAX_QUEUED_COMMANDS = 64  # then the server reads no more from that tab until it catches up
MAX_UPDATES_PER_SECOND = 4000
FRAME_SECONDS = 0.1  # at most 10 page updates a second per tab
EXPORT_TIMEOUT = 30.0
UPLOAD_SECONDS = 30  # a 1 MB upload takes milliseconds; a client that trickles it is cut off
# on SIGTERM / Ctrl+C uvicorn closes every socket at once and gives what is still running a quarter second
UVICORN_OPTIONS = {"log_level": "warning", "ws_max_size": 4 * MAX_MESSAGE_BYTES, "ws_ping_interval": 20,
                   "timeout_graceful_shutdown": 0.25}
STATIC = resources.files(__package__) / "static"


class TrainingThread:
    """The one thread that trains, and the tabs that are playing (who share its time)."""

    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="glassnet-playground")
        self.playing: set[str] = set()

    async def run(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def frame(self, session: Session) -> dict:
        """Train for this tab's share of a frame, then compute the state the page draws."""
        seconds = 0.8 * FRAME_SECONDS / max(1, len(self.playing))

        def train_and_measure():
            session.train_for(seconds, int(MAX_UPDATES_PER_SECOND * FRAME_SECONDS))
            return session.state()
        return await self.run(train_and_measure)

    async def one_epoch(self, session: Session) -> dict:
        """The rest of the current epoch (the page's step button), in frame-sized turns."""
        epoch = session.epoch
        while session.epoch == epoch and not session.diverged:
            await self.run(session.train_for, FRAME_SECONDS / 2, int(MAX_UPDATES_PER_SECOND * FRAME_SECONDS), True)
        return await self.run(session.state)


class Tab:
    """A connected tab: its session, its command queue, and whether it is playing."""

    def __init__(self):
        self.id = uuid.uuid4().hex
        self.session = Session()
        self.commands: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUED_COMMANDS)
        self.playing = False


def create_app(token: str, bound_host: str = "127.0.0.1") -> Guard:
    """The playground's ASGI app behind its ``Guard``: only requests with ``token`` may train,
    upload or export."""
    tabs: dict[str, Tab] = {}
    trainer = TrainingThread()

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        trainer.executor.shutdown(wait=False, cancel_futures=True)

    async def status(request):
        return JSONResponse({"sessions": len(tabs), "maxSessions": MAX_SESSIONS})

    table = {**settings_module.schema(), "maxUploadBytes": MAX_UPLOAD_BYTES, "previews": previews()}

    async def schema(request):
        return JSONResponse(table)

    async def index(request):
        return Response((STATIC / "index.html").read_bytes(), media_type="text/html")

    def tab_of(request) -> Tab | None:
        return tabs.get(request.path_params["session"])

    async def upload(request):
        tab = tab_of(request)
        if tab is None:
            return JSONResponse({"error": "unknown or closed session"}, status_code=404)
        declared = request.headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > MAX_UPLOAD_BYTES):
            return JSONResponse({"error": f"upload too large: {declared} bytes; the limit is "
                                          f"{MAX_UPLOAD_BYTES:,} bytes"}, status_code=413)
        body = bytearray()
        try:
            async with asyncio.timeout(UPLOAD_SECONDS):
                async for chunk in request.stream():
                    body += chunk
                    if len(body) > MAX_UPLOAD_BYTES:
                        return JSONResponse({"error": f"upload too large: over {MAX_UPLOAD_BYTES:,} bytes"},
                                            status_code=413)
        except TimeoutError:
            return JSONResponse({"error": f"upload too slow: not complete after {UPLOAD_SECONDS} s"}, status_code=408)
        except asyncio.CancelledError:  # the server is stopping: answer, rather than die with a traceback
            return JSONResponse({"error": "the server is stopping"}, status_code=503)
        try:
            points, scale = parse_csv(bytes(body))
        except SettingsError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        answer = JSONResponse({"rows": len(points.X), "problem": points.problem, "scale": scale})
        await tab.commands.put({"type": "upload", "points": points, "scale": scale})
        return answer

    async def export_model(request):
        tab = tab_of(request)
        if tab is None:
            return JSONResponse({"error": "unknown or closed session"}, status_code=404)
        kind = request.path_params["kind"]
        if kind not in ("py", "gn"):
            return JSONResponse({"error": f"unknown export format {kind!r}; use model.py or model.gn"},
                                status_code=404)
        reply = asyncio.get_running_loop().create_future()
        await tab.commands.put({"type": "export", "kind": kind, "reply": reply})
        try:
            content = await asyncio.wait_for(reply, EXPORT_TIMEOUT)
        except asyncio.TimeoutError:
            return JSONResponse({"error": "export timed out: the session is busy or closed"}, status_code=503)
        except Exception as error:  # whatever went wrong, the request gets a clear answer
            return JSONResponse({"error": f"export failed: {error}"}, status_code=500)
        if kind == "py":
            return Response(content, media_type="text/x-python",
                            headers={"content-disposition": 'attachment; filename="playground_model.py"'})
        return Response(content, media_type="application/octet-stream",
                        headers={"content-disposition": 'attachment; filename="playground_model.gn"'})

    async def websocket(ws: WebSocket):
        await ws.accept()
        if len(tabs) >= MAX_SESSIONS:
            await send(ws, {"type": "error", "message": f"the server is full ({MAX_SESSIONS} sessions); "
                                                        "close another tab and reload"})
            await ws.close(code=1013)
            return
        tab = Tab()
        tabs[tab.id] = tab
        tasks = []
        try:
            await send(ws, {"type": "session", "id": tab.id})
            await send(ws, tab.session.layout())
            await send(ws, tab.session.state())
            # the tab lives while both its tasks do: the first to end (a closed socket, a failure) ends it
            tasks = [asyncio.create_task(receive(ws, tab)), asyncio.create_task(serve_tab(ws, tab, trainer))]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                report_failure(task)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the tab went away while we were sending
        finally:
            for task in tasks:
                task.cancel()
            trainer.playing.discard(tab.id)
            tabs.pop(tab.id, None)
            refuse_pending_exports(tab)

    app = Starlette(routes=[
        Route("/", index),
        Route("/api/status", status),
        Route("/api/schema", schema),
        Route("/api/upload/{session}", upload, methods=["POST"]),
        Route("/api/export/{session}/model.{kind:str}", export_model),
        WebSocketRoute("/ws", websocket),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ], lifespan=lifespan)
    return Guard(app, token, bound_host)


def report_failure(task: asyncio.Task) -> None:
    """Log what ended a tab's task, unless it was the tab going away."""
    if task.cancelled() or task.exception() is None:
        return
    error = task.exception()
    if not isinstance(error, (WebSocketDisconnect, OSError)):
        log.error("a playground tab ended on an unexpected error", exc_info=error)


def refuse_pending_exports(tab: Tab) -> None:
    """Answer the export requests still queued for a closed tab at once (not after their timeout)."""
    while not tab.commands.empty():
        command = tab.commands.get_nowait()
        if command["type"] == "export" and not command["reply"].done():
            command["reply"].set_exception(RuntimeError("the session closed"))


async def send(ws: WebSocket, message: dict) -> None:
    """Send ``message`` as strict JSON: the page's JSON.parse refuses NaN and Infinity, so any left are
    sent as null (the session sends none; this is the last line of defence)."""
    try:
        text = json.dumps(message, allow_nan=False, separators=(",", ":"))
    except ValueError:
        log.warning("a non-finite number in a %r message was sent as null", message.get("type"))
        text = json.dumps(finite_json(message), allow_nan=False, separators=(",", ":"))
    await ws.send_text(text)


def finite_json(value):
    """``value`` with every float that is not finite replaced by None."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {key: finite_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_json(item) for item in value]
    return value


def previews() -> dict:
    """200 points of each generated data set, for the pictures on the data set buttons."""
    pictures = {}
    for name in settings_module.DATASETS:
        if name != "upload":
            points = generate(settings_module.validate({"dataset": name, "numSamples": 200}),
                              np.random.default_rng(0), None)
            pictures[name] = np.column_stack([points.X, points.y]).round(2).tolist()
    return pictures


async def receive(ws: WebSocket, tab: Tab) -> None:
    """Read the tab's messages into its queue until the socket closes; a bad message becomes an error
    for the tab."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await tab.commands.put({"type": "refuse", "message": "send JSON text messages, not binary ones"})
        elif len(text) > MAX_MESSAGE_BYTES:
            await tab.commands.put({"type": "refuse", "message": f"message too long ({len(text):,} characters; "
                                                                  f"the limit is {MAX_MESSAGE_BYTES:,})"})
        else:
            await tab.commands.put(parse_message(text))


def parse_message(text: str) -> dict:
    """A command from the tab's JSON text, or a 'refuse' command that says what was wrong with it."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        return {"type": "refuse", "message": f"malformed JSON: {error}"}
    except RecursionError:
        return {"type": "refuse", "message": "malformed JSON: nested too deeply"}
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        return {"type": "refuse", "message": f"malformed JSON: {error}"}
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return {"type": "refuse", "message": 'a message must be a JSON object with a "type"'}
    if message["type"] in ("upload", "export", "refuse"):
        return {"type": "refuse", "message": f"{message['type']!r} is not a message a page may send"}
    return message


async def serve_tab(ws: WebSocket, tab: Tab, trainer: TrainingThread) -> None:
    """The tab's loop: apply its commands in order; while playing, train a frame and send the state.
    Everything that touches the session runs on the training thread, one job of this tab at a time,
    so a tab that floods the server with commands only waits for its own turns."""
    session = tab.session
    while True:
        if tab.playing and tab.commands.empty():
            loop = asyncio.get_running_loop()
            start = loop.time()
            state = await trainer.frame(session)
            await send(ws, state)
            if state["diverged"]:  # nothing more to train until a reset
                await set_playing(ws, tab, trainer, False)
            await asyncio.sleep(max(0.0, FRAME_SECONDS - (loop.time() - start)))
            continue
        command = await tab.commands.get()
        kind = command["type"]
        if kind in ("play", "pause", "step"):
            await set_playing(ws, tab, trainer, kind == "play")
            if kind == "step":
                await send(ws, await trainer.one_epoch(session))
            continue
        if kind == "export":
            await reply_export(command, trainer, session)
            continue
        try:
            replies = await trainer.run(apply, session, command)
        except (SettingsError, ValueError, TypeError) as error:
            replies = [{"type": "error", "message": str(error)}]
        except Exception as error:  # a bug, not the tab's fault: say so, log it, and keep the session
            log.error("a playground command failed: %r", {k: v for k, v in command.items() if k != "points"},
                      exc_info=error)
            replies = [{"type": "error", "message": f"internal error on {kind!r}: {type(error).__name__}: {error}"}]
        for reply in replies:
            await send(ws, reply)


async def set_playing(ws: WebSocket, tab: Tab, trainer: TrainingThread, playing: bool) -> None:
    tab.playing = playing
    (trainer.playing.add if playing else trainer.playing.discard)(tab.id)
    await send(ws, {"type": "playing", "playing": playing})


async def reply_export(command: dict, trainer: TrainingThread, session: Session) -> None:
    make = export.python_code if command["kind"] == "py" else export.glassnet_file
    try:
        content = await trainer.run(make, session)
    except Exception as error:  # the HTTP request must get an answer whatever happened
        command["reply"].set_exception(error)
    else:
        command["reply"].set_result(content.encode() if isinstance(content, str) else content)


def apply(session: Session, command: dict) -> list[dict]:
    """The replies to one of the page's commands (run on the training thread)."""
    kind = command["type"]
    if kind == "refuse":
        return [{"type": "error", "message": command["message"]}]
    if kind == "reset":
        session.reset()
    elif kind == "regenerate":
        session.configure({"seed": int(session.rng.integers(2**31 - 1))})
    elif kind == "config":
        if session.configure(command.get("settings")) != "reset":
            return [{"type": "settings", "settings": session.settings}]
    elif kind == "setWeight":
        session.set_weight(command.get("layer"), command.get("to"), command.get("from"), command.get("value"))
        return [session.state()]
    elif kind == "upload":
        session.use_upload(command["points"], command["scale"])
    else:
        raise SettingsError(f"unknown message type {kind!r}; known: play, pause, step, reset, regenerate, "
                            "config, setWeight")
    return [session.layout(), session.state()]


def listen(host: str, port: int) -> socket.socket:
    """The server's listening socket; a port in use or an address that is not this machine's is a
    ``PlaygroundError``. Port 0 picks a free port."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise PlaygroundError(f"cannot listen on {host!r}: {error}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PlaygroundError(f"port {port} is in use (another playground?); choose another with --port") from None
        raise PlaygroundError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Run the playground with uvicorn until SIGTERM or Ctrl+C, print its address with the launch
    token (and open it in the browser)."""
    import threading
    import webbrowser

    import uvicorn

    sock = listen(host, port)
    token = new_token()
    bound = sock.getsockname()
    shown = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    url = f"http://{shown}:{bound[1]}/?token={token}"
    print(f"glassnet playground on {url}\n(the token in the address lets only you train; Ctrl+C stops it)",
          flush=True)
    if open_browser:
        opener = threading.Timer(1.0, webbrowser.open, args=(url,))
        opener.daemon = True
        opener.start()
    server = uvicorn.Server(uvicorn.Config(create_app(token, host), **UVICORN_OPTIONS))
    server.run(sockets=[sock])
