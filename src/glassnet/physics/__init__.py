"""glassnet.physics — Particle-physics tools: toy event generator, event graphs, machine-learning parameter scans.
Built on the layers above it."""
