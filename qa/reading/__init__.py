"""Stage 5, reading: extract answer spans from passages, calibrate them, follow bridges, decide to answer."""
