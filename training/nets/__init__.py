"""Torch network definitions (training only; the app runs their ONNX exports)."""
