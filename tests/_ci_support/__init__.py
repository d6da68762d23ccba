"""Test support shared by every test suite: real-tool gating."""
