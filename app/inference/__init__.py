"""ONNX Runtime adapters: sessions, pose decoding, multi-person assembly, tracking."""
