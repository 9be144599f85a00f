"""Guards on how openapi.yaml evolves: the breaking-change gate, one version number, and the release freeze.

Run it as `python -m spec_guard COMMAND` (`gate`, `versions`, `release`); nox wraps each command in a session.
"""
