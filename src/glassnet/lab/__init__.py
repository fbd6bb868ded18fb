"""glassnet.lab — The lectures' worked examples as runnable labs, and the HTML report of a tour.
Built on everything above it."""
