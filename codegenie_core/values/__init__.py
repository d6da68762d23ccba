"""The core's bottom floor: values (keys, envelopes, the layer models) that import nothing above
them, so the ports and everything over them can name them without a cycle (see ADR-0036)."""
