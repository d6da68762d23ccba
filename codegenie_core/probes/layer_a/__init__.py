"""Layer A probes: static facts read from the files."""
