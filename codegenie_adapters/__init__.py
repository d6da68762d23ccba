"""Thin adapters implementing codegenie_core's ports, and in-memory fakes of every port.

Adapters log through `codegenie_adapters.log`, silent until enabled (see ADR-0017).
"""
