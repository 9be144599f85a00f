"""The /docs page, in process: served without credentials, nothing from another origin, the API's answers untouched."""

from __future__ import annotations

import importlib.metadata
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from deployhq_sandbox import Accounts, create_app
from deployhq_sandbox._docs import DOCS_PACKAGE, Docs, swagger_ui_dir

from .conftest import credentials

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

PAGE_DIR = Path(__file__).resolve().parents[2] / "deployhq_sandbox" / "docs_page"
JS = "text/javascript; charset=utf-8"
# Every file the page loads: where its bytes come from, and the media type it must be served with.
PAGE_FILES = {
    "swagger-ui-bundle.js": ("swagger-ui", JS),
    "swagger-ui.css": ("swagger-ui", "text/css; charset=utf-8"),
    "favicon-32x32.png": ("swagger-ui", "image/png"),
    "sandbox-docs.js": ("own", JS),
}
UUID = "00000000-0000-4000-8000-000000000000"


class Links(HTMLParser):
    """Every `src` and `href` of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value is not None]


def links_of(html: str) -> list[str]:
    """The URLs an HTML page refers to."""
    parser = Links()
    parser.feed(html)
    return parser.urls


@pytest.fixture
def anonymous(app: Starlette) -> Iterator[TestClient]:
    """An in-process client without credentials."""
    with TestClient(app) as test_client:
        yield test_client


def test_page_is_html_served_without_credentials(anonymous: TestClient) -> None:
    """GET /docs needs no credentials and answers the HTML page."""
    response = anonymous.get("/docs")
    assert (200, "text/html; charset=utf-8") == (response.status_code, response.headers["content-type"])
    assert '<div id="swagger-ui"></div>' in response.text


def test_page_ignores_wrong_credentials(anonymous: TestClient, accounts: Accounts) -> None:
    """A wrong API key does not turn the docs into a 401: they never look at credentials."""
    response = anonymous.get("/docs", auth=(accounts.administrator.email, "not-the-key"))
    assert 200 == response.status_code


def test_page_refers_only_to_its_own_files_and_the_served_spec(anonymous: TestClient) -> None:
    """Every link of the page is relative, and resolves to a docs file or to /openapi.yaml."""
    base = "http://testserver/docs"
    urls = links_of(anonymous.get("/docs").text)
    absolute = [url for url in urls if urlsplit(url).scheme or urlsplit(url).netloc]
    assert [] == absolute
    expected = {f"http://testserver/docs/{name}" for name in PAGE_FILES} | {"http://testserver/openapi.yaml"}
    assert expected == {urljoin(base, url) for url in urls}


def test_page_script_names_no_other_origin(anonymous: TestClient) -> None:
    """The page's own script holds no absolute URL, and turns off Swagger UI's online validator."""
    script = anonymous.get("/docs/sandbox-docs.js").text
    assert [] == re.findall(r"[a-z][a-z0-9+.-]*://", script)
    assert "validatorUrl: null" in script


def test_browser_is_told_to_refuse_other_origins(anonymous: TestClient) -> None:
    """The page's Content-Security-Policy allows scripts, styles, images and requests from its own origin only."""
    policy = anonymous.get("/docs").headers["content-security-policy"]
    directives = dict(part.strip().partition(" ")[::2] for part in policy.split(";"))
    expected = {
        "default-src": "'none'",
        "script-src": "'self'",
        "connect-src": "'self'",
        "img-src": "'self' data:",
        "style-src": "'self' 'unsafe-inline'",
    }
    assert expected == {name: directives.get(name) for name in expected}


@pytest.mark.parametrize(("name", "origin", "media_type"), [(name, *value) for name, value in PAGE_FILES.items()])
def test_each_file_the_page_loads_is_served_with_its_media_type(
    anonymous: TestClient, name: str, origin: str, media_type: str
) -> None:
    """Each file is served, unauthenticated, byte for byte from its package, with its media type."""
    folder = swagger_ui_dir() if origin == "swagger-ui" else PAGE_DIR
    assert folder is not None
    response = anonymous.get(f"/docs/{name}")
    assert (200, media_type) == (response.status_code, response.headers["content-type"])
    assert (folder / name).read_bytes() == response.content


def test_served_spec_link_is_the_spec(anonymous: TestClient) -> None:
    """The spec the page renders is the one the server serves at /openapi.yaml."""
    response = anonymous.get("/openapi.yaml")
    assert (200, "application/yaml") == (response.status_code, response.headers["content-type"])
    assert response.content == (PAGE_DIR.parents[1] / "openapi.yaml").read_bytes()


def test_head_answers_the_headers_only(anonymous: TestClient) -> None:
    """HEAD /docs gives the page's length and type, and no body."""
    page = anonymous.get("/docs")
    head = anonymous.head("/docs")
    assert (200, page.headers["content-length"], b"") == (
        head.status_code,
        head.headers["content-length"],
        head.content,
    )


@pytest.mark.parametrize(
    "path",
    [
        "/docs/nope.js",
        "/docs/index.html",
        "/docs/swagger-ui-bundle.js.map",
        "/docs/VERSION",
        "/docs/LICENSE",
        "/docs/..%2Fopenapi.yaml",
        "/docs/%2e%2e",
        "/docs/swagger-ui.css/x",
        "/Docs",
    ],
)
def test_anything_else_under_docs_is_a_json_404(anonymous: TestClient, path: str) -> None:
    """Only the page's own files are served; any other name is the API's JSON 404, never a redirect."""
    response = anonymous.get(path, follow_redirects=False)
    assert (404, 404) == (response.status_code, response.json()["status"])


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/docs", "/docs/swagger-ui.css"])
def test_docs_answer_only_get_and_head(anonymous: TestClient, method: str, path: str) -> None:
    """Other methods are the API's JSON 405 with `Allow: GET, HEAD`."""
    response = anonymous.request(method, path)
    assert (405, 405, {"GET", "HEAD"}) == (
        response.status_code,
        response.json()["status"],
        set(response.headers["allow"].split(", ")),
    )


def test_docs_routes_come_after_the_api_routes(app: Starlette) -> None:
    """The API's routes are matched first, so no docs route can shadow an API path."""
    api_paths = [route.path for route in app.state.api.routes()]
    assert [*api_paths, "/docs", "/docs/{name}", "/", "/docs/"] == [route.path for route in app.routes]  # type: ignore[attr-defined]


def test_api_answers_are_the_same_with_and_without_the_docs(tmp_path: Path, accounts: Accounts) -> None:
    """Every method on the API's paths and their neighbours gets the same answer as from the app without /docs."""
    # The same factory twice, one with its docs routes taken out: the only difference is the docs.
    with_docs = create_app(tmp_path / "a.sqlite3", accounts=accounts)
    without_docs = create_app(tmp_path / "b.sqlite3", accounts=accounts)
    without_docs.router.routes = [route for route in without_docs.router.routes if "/docs" not in route.path]  # type: ignore[attr-defined]
    paths = ["/users", "/users/", f"/users/{UUID}", "/users/docs", "/users/not-a-uuid", "/openapi.yaml", "/nowhere"]
    paths += ["/users/docs/swagger-ui.css", "/openapi.yaml/docs"]
    auths = [None, credentials(accounts.administrator), (accounts.administrator.email, "wrong")]
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    differences = []
    with TestClient(with_docs) as first, TestClient(without_docs) as second:
        for method in methods:
            for path in paths:
                for auth in auths:
                    answers = [
                        client.request(method, path, auth=auth, follow_redirects=False) for client in (first, second)
                    ]
                    # A 2xx body holds the random identifiers of each database's accounts; everything else must match.
                    seen = [
                        (
                            a.status_code,
                            a.content if a.status_code >= 300 else None,
                            a.headers.get("content-type"),
                            a.headers.get("allow"),
                            a.headers.get("www-authenticate"),
                        )
                        for a in answers
                    ]
                    if seen[0] != seen[1]:
                        differences.append((method, path, seen))
    assert [] == differences


def test_missing_swagger_ui_is_a_503_naming_the_package(tmp_path: Path) -> None:
    """Without Swagger UI's files the page and its files are a 503 saying what to install, not a 500."""
    app = Starlette(routes=Docs(tmp_path).routes())
    with TestClient(app) as client:
        answers = [client.get(path) for path in ("/docs", "/docs/swagger-ui-bundle.js", "/docs/sandbox-docs.js")]
    assert [503, 503, 503] == [answer.status_code for answer in answers]
    assert all(DOCS_PACKAGE in answer.text and "pip install" in answer.text for answer in answers)


def test_not_installed_at_all_is_a_503_too() -> None:
    """With no Swagger UI folder at all the page is the same 503."""
    with TestClient(Starlette(routes=Docs(None).routes())) as client:
        response = client.get("/docs")
    assert (503, True) == (response.status_code, DOCS_PACKAGE in response.text)


def test_swagger_ui_is_the_pinned_release() -> None:
    """The files served are Swagger UI at the version of the installed wrapper, which names Swagger UI's release."""
    folder = swagger_ui_dir()
    assert folder is not None
    assert f"v{importlib.metadata.version(DOCS_PACKAGE)}" == (folder / "VERSION").read_text().strip()


def test_a_second_app_in_the_same_process_serves_the_docs_too(tmp_path: Path, accounts: Accounts) -> None:
    """Building the app twice in one process gives two working docs pages."""
    statuses = []
    for name in ("one.sqlite3", "two.sqlite3"):
        with TestClient(create_app(tmp_path / name, accounts=accounts)) as client:
            statuses.append(client.get("/docs/swagger-ui-bundle.js").status_code)
    assert [200, 200] == statuses
