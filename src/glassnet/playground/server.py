"""The playground's ASGI app (Starlette, run by uvicorn).

Each browser tab opens one WebSocket and gets its own ``Session``; the session ends when the socket
closes. One task per tab owns its session: it takes the tab's commands from a queue and, while playing,
asks the one training thread for a frame: a slice of training (the frame's time shared among the
playing tabs, at most ``MAX_UPDATES_PER_SECOND`` mini-batch steps a second) and the new state, which it
sends. The training thread takes the tabs' jobs first come, first served, so the tabs share the CPU in
turns (round robin) and the event loop stays free to answer everyone. Limits on sessions, message size,
queued commands, upload size and steps per second keep one tab from starving the others; bad input
gets an ``error`` message and the session goes on.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
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
from .session import Session
from .settings import SettingsError

MAX_SESSIONS = 32
MAX_MESSAGE_BYTES = 64_000
MAX_QUEUED_COMMANDS = 64  # then the server reads no more from that tab until it catches up
MAX_UPDATES_PER_SECOND = 4000
FRAME_SECONDS = 0.1  # at most 10 page updates a second per tab
EXPORT_TIMEOUT = 30.0
UVICORN_OPTIONS = {"log_level": "warning", "ws_max_size": 4 * MAX_MESSAGE_BYTES, "ws_ping_interval": 20}
STATIC = resources.files(__package__) / "static"


class Trainer:
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
        while session.epoch == epoch:
            await self.run(session.train_for, FRAME_SECONDS / 2, int(MAX_UPDATES_PER_SECOND * FRAME_SECONDS), True)
        return await self.run(session.state)


class Tab:
    """A connected tab: its session, its command queue, and whether it is playing."""

    def __init__(self):
        self.id = uuid.uuid4().hex
        self.session = Session()
        self.commands: asyncio.Queue = asyncio.Queue(maxsize=MAX_QUEUED_COMMANDS)
        self.playing = False


def create_app() -> Starlette:
    tabs: dict[str, Tab] = {}
    trainer = Trainer()

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
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_UPLOAD_BYTES:
                return JSONResponse({"error": f"upload too large: over {MAX_UPLOAD_BYTES:,} bytes"}, status_code=413)
        try:
            points, scale = parse_csv(bytes(body))
        except SettingsError as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        await tab.commands.put({"type": "upload", "points": points, "scale": scale})
        return JSONResponse({"rows": len(points.X), "problem": points.problem, "scale": scale})

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
            await ws.send_json({"type": "error", "message": f"the server is full ({MAX_SESSIONS} sessions); "
                                                            "close another tab and reload"})
            await ws.close(code=1013)
            return
        tab = Tab()
        tabs[tab.id] = tab
        receiver = asyncio.create_task(receive(ws, tab))
        try:
            await ws.send_json({"type": "session", "id": tab.id})
            await ws.send_json(tab.session.layout())
            await ws.send_json(tab.session.state())
            await serve_tab(ws, tab, trainer)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the tab went away while we were sending
        finally:
            receiver.cancel()
            trainer.playing.discard(tab.id)
            tabs.pop(tab.id, None)

    return Starlette(routes=[
        Route("/", index),
        Route("/api/status", status),
        Route("/api/schema", schema),
        Route("/api/upload/{session}", upload, methods=["POST"]),
        Route("/api/export/{session}/model.{kind:str}", export_model),
        WebSocketRoute("/ws", websocket),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ], lifespan=lifespan)


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
    """Read the tab's messages into its queue; a bad message becomes an error for the tab."""
    while True:
        message = await ws.receive()
        if message["type"] == "websocket.disconnect":
            break
        text = message.get("text")
        if text is None:
            await tab.commands.put({"type": "refuse", "message": "send JSON text messages, not binary ones"})
        elif len(text) > MAX_MESSAGE_BYTES:
            await tab.commands.put({"type": "refuse", "message": f"message too long ({len(text):,} characters; "
                                                                  f"the limit is {MAX_MESSAGE_BYTES:,})"})
        else:
            await tab.commands.put(parse_message(text))
    await tab.commands.put({"type": "closed"})


def parse_message(text: str) -> dict:
    """A command from the tab's JSON text, or a 'refuse' command that says what was wrong with it."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as error:
        return {"type": "refuse", "message": f"malformed JSON: {error}"}
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return {"type": "refuse", "message": 'a message must be a JSON object with a "type"'}
    if message["type"] in ("upload", "export", "closed", "refuse"):
        return {"type": "refuse", "message": f"{message['type']!r} is not a message a page may send"}
    return message


async def serve_tab(ws: WebSocket, tab: Tab, trainer: Trainer) -> None:
    """The tab's loop: apply its commands in order; while playing, train a frame and send the state.
    Everything that touches the session runs on the training thread, one job of this tab at a time,
    so a tab that floods the server with commands only waits for its own turns."""
    session = tab.session
    while True:
        if tab.playing and tab.commands.empty():
            loop = asyncio.get_running_loop()
            start = loop.time()
            await ws.send_json(await trainer.frame(session))
            await asyncio.sleep(max(0.0, FRAME_SECONDS - (loop.time() - start)))
            continue
        command = await tab.commands.get()
        kind = command["type"]
        if kind == "closed":
            return
        if kind in ("play", "pause", "step"):
            tab.playing = kind == "play"
            (trainer.playing.add if tab.playing else trainer.playing.discard)(tab.id)
            await ws.send_json({"type": "playing", "playing": tab.playing})
            if kind == "step":
                await ws.send_json(await trainer.one_epoch(session))
            continue
        if kind == "export":
            await reply_export(command, trainer, session)
            continue
        try:
            replies = await trainer.run(apply, session, command)
        except (SettingsError, ValueError, TypeError) as error:
            replies = [{"type": "error", "message": str(error)}]
        for reply in replies:
            await ws.send_json(reply)


async def reply_export(command: dict, trainer: Trainer, session: Session) -> None:
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


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = True) -> None:
    """Run the playground with uvicorn until interrupted (and open it in the browser)."""
    import threading
    import webbrowser

    import uvicorn

    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(f"http://{host}:{port}/",)).start()
    uvicorn.run(create_app(), host=host, port=port, **UVICORN_OPTIONS)
