"""Tests of the reference server, one module per server module."""
