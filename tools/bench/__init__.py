"""Benchmarks: `python -m bench` (or `nox -s bench`), each figure next to a baseline measured in the same run.

One module per area (`regen`, `client`, `server`, ...), each exposing `rows(settings) -> list[Row]`;
`bench/__main__.py` lists the areas, runs them, prints a table and writes results.json and results.md.
"""
