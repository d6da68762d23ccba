"""Layer C probes: what the built container really does, traced at runtime."""
