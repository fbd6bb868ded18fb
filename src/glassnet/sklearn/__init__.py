"""glassnet.sklearn — scikit-learn estimators around glassnet networks.
Built on nn, optim, data and train."""
from .estimators import NeuralNetClassifier, NeuralNetRegressor
