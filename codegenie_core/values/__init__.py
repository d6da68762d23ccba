"""The core's bottom floor: values (keys, envelopes, outcomes, the layer models) that import nothing
above them, so the ports and everything over them can name them without a cycle (see ADR-0036,
ADR-0040)."""
