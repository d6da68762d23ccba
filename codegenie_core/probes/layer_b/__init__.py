"""Layer B probes: the health of code indexes (SCIP)."""
