"""Browser-test fixtures: the sample site built once, served by nginx under /gongshi/, Debian's Chromium.

Locally a missing nginx or Chromium skips these tests; in CI (``CI=true``) it fails them, since
``./scripts/setup --test`` must have installed both. Never run ``playwright install``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nginxserver import LOCAL_HOST, NginxServer, find_nginx, missing_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium (package ``chromium``); override with GONGSHI_CHROMIUM.
CHROMIUM = os.environ.get("GONGSHI_CHROMIUM", "/usr/bin/chromium")
#: Launch flags verified in shared/TOOLING.md.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker (also declared in pyproject.toml)."""
    config.addinivalue_line("markers", "browser: drives Chromium against the sample site served by nginx")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/browser/ with ``browser`` (select with -m browser / -m 'not browser')."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


# ------------------------------------------------------------------------------------------- site


@pytest.fixture(scope="session")
def sample_site(sample_output: Path) -> Path:
    """The repository's sample site: the build tests/conftest.py makes once per session."""
    assert (sample_output / "index.html").is_file(), f"the build wrote no index.html in {sample_output}"
    return sample_output


# ------------------------------------------------------------------------------------------ nginx


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    """Path of nginx; skips locally / fails in CI when it is not installed."""
    found = find_nginx()
    if found is None:
        missing_tool("nginx (Debian package nginx-light)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def serve_with_nginx(
    nginx_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., NginxServer]]:
    """Factory: serve any folder under /gongshi/ with its own nginx; all are stopped at session end.

    ``serve(site, extra="")``: ``extra`` is added to nginx's ``server`` block (headers, for instance).
    """
    servers: list[NginxServer] = []

    def serve(site: Path, extra: str = "") -> NginxServer:
        server = NginxServer(nginx_binary, site, tmp_path_factory.mktemp("nginx"), extra)
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def nginx_server(serve_with_nginx: Callable[..., NginxServer], sample_site: Path) -> str:
    """Base URL ``http://127.0.0.1:PORT/gongshi/`` of the sample site served by nginx."""
    # (serve_with_nginx first: a missing nginx skips/fails before the build is spent)
    return serve_with_nginx(sample_site).base_url


# --------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (never a downloaded browser) with the verified flags."""
    if not os.access(CHROMIUM, os.X_OK):
        missing_tool(f"Chromium ({CHROMIUM}, Debian package chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Chinese locale and China's time zone, like the site's readers."""
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


def is_local_url(url: str) -> bool:
    """True for URLs that stay on this machine's test server (or need no network)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == LOCAL_HOST


@pytest.fixture
def external_requests() -> list[str]:
    """URLs of the requests the page tried to send to another host (each was aborted)."""
    return []


@pytest.fixture
def context(context: Any, external_requests: list[str]) -> Iterator[Any]:
    """pytest-playwright's context, with every request to a host other than 127.0.0.1 aborted and recorded."""

    def guard(route: Any) -> None:
        url = route.request.url
        if is_local_url(url):
            route.fallback()
        else:
            external_requests.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    yield context
    if external_requests:
        pytest.fail(
            "the site tried to load from another host:\n  " + "\n  ".join(external_requests), pytrace=False
        )


@pytest.fixture
def page_errors(page: Any) -> list[str]:
    """Uncaught JavaScript errors of ``page`` (attach before navigating)."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors
