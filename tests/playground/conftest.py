"""Fixtures for the playground: a live server on a free port, Chromium driven by Playwright, and a
folder for screenshots (``out/playground/`` beside the repository, so a human can look at them)."""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def token() -> str:
    """The launch token of the module's server: training, uploads and exports need ``?token=`` this."""
    return "test-token-" + os.urandom(8).hex()


@pytest.fixture(scope="module")
def server(token):
    """The playground's base URL, served by uvicorn in a thread for this test module."""
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    from glassnet.playground.server import UVICORN_OPTIONS, create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(token)
    uv = uvicorn.Server(uvicorn.Config(app, **UVICORN_OPTIONS))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "the playground server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    uv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    folder = Path(__file__).resolve().parents[2] / "out" / "playground"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
