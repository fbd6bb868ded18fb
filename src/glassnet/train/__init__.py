"""glassnet.train — Trainer, callbacks, metrics and History: the fit / evaluate / predict loop.
Built on nn, optim and data."""
