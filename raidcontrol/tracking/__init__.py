"""GPS tracking compliance: waypoint validation and speed-zone detection (pure kernels)."""
