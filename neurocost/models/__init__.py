"""Models: operand encodings, binary/quantised layers, encoders and the model zoo."""
