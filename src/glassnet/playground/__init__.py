"""glassnet.playground — a TensorFlow-Playground-style web app whose networks glassnet trains live:
``glassnet playground`` or ``glassnet.playground.server.serve()``; the page is static files in ``static/``."""
