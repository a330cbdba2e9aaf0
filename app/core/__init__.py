"""numpy-only core: skeleton, data types, geometry, features, windows, pose-track files."""
