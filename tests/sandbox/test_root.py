"""`/` and `/docs/`: a person who opens the server's root, or types a trailing slash, finds the docs."""

from __future__ import annotations

from starlette.testclient import TestClient


def test_the_root_is_a_json_404_naming_the_docs(client: TestClient) -> None:
    """GET / is a 404 in the API's error shape, whose message names /docs, /openapi.yaml and /users."""
    response = client.get("/", follow_redirects=False)
    body = response.json()
    assert (404, 404, True) == (
        response.status_code,
        body["status"],
        all(path in body["error"] for path in ("/docs", "/openapi.yaml", "/users")),
    )


def test_docs_with_a_slash_redirects_to_the_page(client: TestClient) -> None:
    """GET /docs/ is a permanent redirect to /docs, which serves the page."""
    response = client.get("/docs/", follow_redirects=False)
    page = client.get("/docs/")
    assert (308, "/docs", 200, "text/html") == (
        response.status_code,
        response.headers["location"],
        page.status_code,
        page.headers["content-type"].partition(";")[0],
    )


def test_docs_with_a_slash_keeps_the_root_path(client: TestClient) -> None:
    """Behind a path prefix (as in the pytest fixture), /docs/ redirects to that prefix's /docs."""
    response = client.get("/docs/", follow_redirects=False)
    prefixed = TestClient(client.app, root_path="/sandbox-1").get("/docs/", follow_redirects=False)
    assert ("/docs", "/sandbox-1/docs") == (response.headers["location"], prefixed.headers["location"])
