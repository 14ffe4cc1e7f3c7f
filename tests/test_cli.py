"""The command line contract: build, check, serve, --version, python -m builder."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from builder import __version__
from helpers import REPO, run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"gongshi, version {__version__}"


def test_installed_console_script_runs_the_cli() -> None:
    script = Path(sys.executable).with_name("gongshi")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and result.stdout.strip() == f"gongshi, version {__version__}"


def test_check_writes_nothing_and_summarises(minimal_site: Path) -> None:
    result = run_cli("check", minimal_site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: 3 merchants, 2 periods, 1 rankings, 1 warnings, 1 pages")
    assert not (minimal_site / "output").exists()


def test_check_json_format(minimal_site: Path) -> None:
    (minimal_site / "content" / "complaints" / "2026-10.yaml").write_text(
        "period: 2026-10\npublished: 2026-11-31\ndepartment: 局\nmerchants: []\n", "utf-8")
    result = run_cli("check", minimal_site, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert {"path": "content/complaints/2026-10.yaml", "line": 2, "column": 12, "field": "published",
            "code": "GS209", "message": "expected a real date written YYYY-MM-DD, found `2026-11-31`",
            "severity": "error"} in report["problems"]


def test_build_default_output_is_site_output(minimal_site: Path) -> None:
    result = run_cli("build", minimal_site, "--no-search")
    assert result.returncode == 0, result.stderr
    assert (minimal_site / "output" / "index.html").is_file()
    assert "Built " in result.stdout


def test_build_replaces_previous_output_whole(minimal_site: Path) -> None:
    stale = minimal_site / "output" / "old-page.html"
    stale.parent.mkdir()
    stale.write_text("old", "utf-8")
    assert run_cli("build", minimal_site, "--no-search").returncode == 0
    assert not stale.exists() and (minimal_site / "output" / "index.html").is_file()
    assert not [p for p in minimal_site.iterdir() if p.name.startswith(".output.")]


def test_output_inside_content_is_refused(minimal_site: Path) -> None:
    result = run_cli("build", minimal_site, "--output", minimal_site / "content")
    assert result.returncode == 1
    assert "is inside content/" in result.stderr
    assert (minimal_site / "content" / "complaints" / "2026-09.yaml").is_file()


def test_missing_site_yaml(tmp_path: Path) -> None:
    result = run_cli("check", tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "site.yaml:1:1: file: site.yaml not found: a site folder needs a site.yaml"


def test_site_theme_overrides_a_template(minimal_site: Path) -> None:
    templates = minimal_site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}{% block main %}<h1>本站自定义404</h1>'
                                         '{% endblock %}', "utf-8")
    assert run_cli("build", minimal_site, "--no-search").returncode == 0
    assert "本站自定义404" in (minimal_site / "output" / "404.html").read_text("utf-8")
    assert "本站自定义404" not in (minimal_site / "output" / "index.html").read_text("utf-8")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_builds_and_serves_on_localhost(minimal_site: Path) -> None:
    port = _free_port()
    log = minimal_site.parent / "serve.log"
    with log.open("w") as sink, subprocess.Popen(
            [sys.executable, "-m", "builder", "serve", str(minimal_site), "--port", str(port)],
            cwd=REPO, stdout=sink, stderr=subprocess.STDOUT) as server:
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/merchants/", timeout=2) as response:
                        body = response.read().decode("utf-8")
                    break
                except OSError:
                    assert server.poll() is None, log.read_text("utf-8")
                    assert time.monotonic() < deadline, "serve did not answer in 60 s"
                    time.sleep(0.3)
            assert "测试甲乙餐饮有限公司" in body
        finally:
            server.terminate()
            server.wait(timeout=10)
