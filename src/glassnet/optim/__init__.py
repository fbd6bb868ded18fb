"""glassnet.optim — Optimizers (SGD, Adagrad, Adadelta, RMSprop, Adam, AdamW) and learning-rate schedulers.
Built on glassnet.autograd and glassnet.nn."""
