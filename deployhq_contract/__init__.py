"""The contract suite: judges any target against openapi.yaml."""
