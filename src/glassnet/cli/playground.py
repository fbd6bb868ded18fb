"""``glassnet playground``: serve the web playground on 127.0.0.1 and open it in the browser (its address
carries a secret token made for this launch: only who has it can train, upload and export)."""
from __future__ import annotations

import os
import sys

from . import UsageError


def register(subparsers) -> None:
    parser = subparsers.add_parser("playground", help="train small networks live in the browser",
                                   description="Serve glassnet's TensorFlow-Playground-style web app; "
                                               "the networks train on this machine with glassnet.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.set_defaults(func=run)


def run(args) -> int:
    if not 0 < args.port < 65536:
        raise UsageError(f"--port must be 1 to 65535, got {args.port}")
    try:
        from ..playground.server import PlaygroundError, serve
    except ImportError as error:
        raise UsageError(f"the playground needs its extra: pip install 'glassnet[playground]' ({error})") from None
    try:  # serve prints the address, with its secret token
        serve(args.host, args.port, open_browser=not args.no_browser)
    except PlaygroundError as error:
        raise UsageError(str(error)) from None
    except KeyboardInterrupt:
        # Ctrl+C: uvicorn has closed every connection and the app; leave at once, as SIGTERM does,
        # instead of spending half a second tearing down compiled modules
        print("glassnet playground: stopped", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(130)
    return 0
