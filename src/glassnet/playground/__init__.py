"""glassnet.playground — The web playground: a TensorFlow-Playground-style page trained live by glassnet.
Server plus static page."""
