"""Browsable docs of the contract at `/docs`: Swagger UI rendering the served `/openapi.yaml`, nothing from a CDN.

Swagger UI's files come from the pinned flask-swagger-ui wheel (only its `dist/` folder is read; Flask is never
imported). The page and its own script live in `docs_page/`. Everything is unauthenticated, like `/openapi.yaml`,
and outside the contract: the routes sit after the API's, so they cannot shadow an API path.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

__all__ = ["DOCS_PACKAGE", "Docs", "docs_routes", "swagger_ui_dir"]

DOCS_PACKAGE = "flask-swagger-ui"
_PAGE_DIR = Path(__file__).resolve().parent / "docs_page"

# Swagger UI's version 5 is the first to read OpenAPI 3.1. Only the files the page loads are served, each with its
# media type stated here rather than guessed from the platform's mimetypes table.
_SWAGGER_UI_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
_OWN_FILES = {"sandbox-docs.js": "text/javascript; charset=utf-8"}

# The browser itself refuses anything from another origin, so a stray CDN link would show up as a console error.
# Swagger UI sets inline styles and ships its icons as data: URIs, hence those two allowances.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def swagger_ui_dir() -> Path | None:
    """Swagger UI's `dist/` folder inside the installed flask-swagger-ui, or None when it is not installed."""
    # find_spec locates the package without running its __init__, which would import Flask.
    spec = importlib.util.find_spec("flask_swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "dist"


class Docs:
    """The `/docs` page and the files it loads, from *swagger_ui* (Swagger UI's `dist/` folder)."""

    def __init__(self, swagger_ui: Path | None) -> None:
        self.files = {name: (_PAGE_DIR / name, media) for name, media in _OWN_FILES.items()}
        if swagger_ui is not None:
            self.files.update({name: (swagger_ui / name, media) for name, media in _SWAGGER_UI_FILES.items()})
        self.swagger_ui = swagger_ui

    def routes(self) -> list[Route]:
        """`GET /docs` and `GET /docs/{name}`; `/` and `/docs/` point to `/docs`."""
        return [
            Route("/docs", self.page, methods=["GET"]),
            Route("/docs/{name}", self.asset, methods=["GET"]),
            Route("/", self.root, methods=["GET"]),
            Route("/docs/", self.slash, methods=["GET"]),
        ]

    async def root(self, request: Request) -> Response:
        """404, as any path outside the contract, with a body saying where the docs and the API are."""
        # A 404 rather than a redirect: the root is no resource of the API, and a client probing a base URL must
        # not read a 200 from it; a person who opens it in a browser still reads where to go.
        raise HTTPException(
            404,
            "Nothing here: this is the DeployHQ Users API's reference server. Browsable docs: /docs; "
            "the spec: /openapi.yaml; the API: /users (with Basic auth).",
        )

    async def slash(self, request: Request) -> Response:
        """`/docs/` is `/docs`: the page's links are relative to it, so it is redirected rather than served twice."""
        return RedirectResponse(request.scope.get("root_path", "") + "/docs", status_code=308)

    async def page(self, request: Request) -> Response:
        """The HTML page; 503 naming the missing package when Swagger UI's files are not installed."""
        self.check_installed()
        return FileResponse(_PAGE_DIR / "index.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    async def asset(self, request: Request) -> Response:
        """One of the files the page loads, by name; anything else is a 404."""
        name = request.path_params["name"]
        if name not in self.files:
            raise HTTPException(404, "Not found")
        self.check_installed()
        path, media_type = self.files[name]
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})

    def check_installed(self) -> None:
        """503 unless every Swagger UI file the page loads is there."""
        missing = [
            name for name in _SWAGGER_UI_FILES if self.swagger_ui is None or not (self.swagger_ui / name).is_file()
        ]
        if missing:
            raise HTTPException(
                503,
                f"The docs page needs Swagger UI's files from the {DOCS_PACKAGE} package ({', '.join(missing)} not "
                "found): install the reference server with `pip install 'deployhq-users[sandbox]'`.",
            )


def docs_routes() -> list[Route]:
    """The docs routes, served from the installed flask-swagger-ui."""
    return Docs(swagger_ui_dir()).routes()
