"""Tests of spec_guard: the breaking-change gate, the version check and the release freeze."""
