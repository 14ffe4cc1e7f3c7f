"""`gongshi serve`: the live preview as a real process (HTTP, events, rebuilds, errors, ports, Ctrl-C)."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from builder.build import BuildOptions, build
from builder.livereload import CSP, inject, safe_parts
from builder.previewstate import PreviewState
from builder.watch import is_editor_litter, lasting, relevant
from helpers import run_cli
from preview import Preview, edit, get

TAG = '<script src="/__gongshi__/livereload.js" data-build="'
BAD_TYPE = ("content/warnings/prepaid.md:4:7: type: `消费警告` is not one of: 消费预警, 消费提醒, 典型案例 "
            "(did you mean `消费预警`?)")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> list[str]:
    """Work, staging or old-output folders left beside an output folder."""
    return sorted(p.name for p in folder.iterdir() if any(m in p.name for m in (".serve-", ".staging-", ".old-")))


def documented_csp() -> str:
    """The policy README.md asks hosts to send."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    return next(line.split(": ", 1)[1] for line in readme.splitlines() if line.startswith("Content-Security-Policy: "))


# ------------------------------------------------------------------------------------------ units


@pytest.mark.parametrize("name", [".prepaid.md.swp", ".prepaid.md.swx", "prepaid.md~", ".#prepaid.md", "4913",
                                  "#prepaid.md#", "prepaid.md.tmp", "~$periods.xlsx", ".DS_Store"])
def test_editor_litter_is_ignored(name: str) -> None:
    assert is_editor_litter(name)
    assert relevant(Path("/s"), f"/s/content/warnings/{name}") is None


@pytest.mark.parametrize(("path", "expected"), [
    ("/s/site.yaml", "site.yaml"), ("/s/content/warnings/双11.md", "content/warnings/双11.md"),
    ("/s/themes/default/static/site.css", "themes/default/static/site.css"), ("/s/output/index.html", None),
    ("/s/.gongshi/audit.json", None), ("/s/.output.serve-x/build-1/index.html", None), ("/s/notes.txt", None),
    ("/s/site.yaml.bak", None), ("/elsewhere/site.yaml", None), ("/s/content/4913", None)])
def test_only_what_a_build_reads_is_watched(path: str, expected: str | None) -> None:
    assert relevant(Path("/s"), path) == expected


def test_a_file_made_and_removed_within_a_batch_is_no_change(tmp_path: Path) -> None:
    from watchfiles import Change
    kept = tmp_path / "kept.md"
    kept.write_text("x", "utf-8")
    batch = {(Change.added, str(tmp_path / "sedX1b2c3")), (Change.deleted, str(tmp_path / "sedX1b2c3")),
             (Change.added, str(kept)), (Change.deleted, str(tmp_path / "removed.md"))}
    assert lasting(batch) == {str(kept), str(tmp_path / "removed.md")}


def test_the_script_goes_before_the_end_of_head() -> None:
    assert inject(b"<html><head><title>t</title></HEAD ><body></body>", "s-1") == (
        b'<html><head><title>t</title><script src="/__gongshi__/livereload.js" data-build="s-1" defer></script>\n'
        b"</HEAD ><body></body>")
    assert inject(b"<p>no head</p>", "s-2").endswith(b'data-build="s-2" defer></script>\n')


@pytest.mark.parametrize("path", ["../site.yaml", "a/../../x", "a/./b", "a\\..\\b", "a/\0"])
def test_path_tricks_are_refused(path: str) -> None:
    assert safe_parts(path) is None


def test_a_build_is_let_go_only_when_nothing_reads_it_any_more(tmp_path: Path) -> None:
    state = PreviewState(tmp_path, "s")
    first = state.publish_pages(*state.next_folder(), "/")
    reading = state.acquire()  # a request being answered from the first build
    second = state.publish_pages(*state.next_folder(), "/")
    assert state.take_spare() is None and reading.pages is first
    state.release(reading)
    # Let go: the spare, which the next build brings up to date instead of linking every file anew.
    assert state.sweep() == [] and state.take_spare() == first.path and state.take_spare() is None
    state.give_back(first.path)  # a build that failed before it touched the spare
    assert state.take_spare() == first.path
    # Search bundles are folders of their own: the two newest stay (an open page may still fetch the older one's
    # files), and a pages folder is let go while its bundle is still served.
    state.hold(second)  # the indexer
    state.publish_search(second)
    state.drop(second)
    third = state.publish_pages(*state.next_folder(), "/")
    assert state.sweep() == [] and state.take_spare() == second.path
    state.hold(third)  # indexed while a fourth build comes: its pages are still read
    fourth = state.publish_pages(*state.next_folder(), "/")
    state.publish_search(third)
    state.drop(third)
    view = state.acquire()
    assert [g.path for g in view.search] == [third.search_path, second.search_path]
    state.release(view)
    assert state.sweep() == [] and state.take_spare() == third.path
    state.publish_search(fourth)
    assert state.sweep() == [second.search_path]  # the third-newest bundle
    fifth = state.publish_pages(*state.next_folder(), "/")
    sixth = state.publish_pages(*state.next_folder(), "/")  # fourth and fifth let go: only the newer is the spare
    assert state.sweep() == [fourth.path] and state.take_spare() == fifth.path
    view = state.acquire()
    assert view.pages is sixth and [g.number for g in view.search] == [4, 3]
    state.release(view)
    assert state.status.build_id == "s-6" and state.status.problems == []
    state.hold(sixth)
    state.publish_pages(*state.next_folder(), "/")
    state.stop()  # stopping: nothing is kept for a next build
    state.drop(sixth)
    assert state.sweep() == [sixth.path]


def test_the_preview_sends_the_readme_policy() -> None:
    assert documented_csp() == CSP


# ------------------------------------------------------------------------------------------ process


def test_preview_serves_pages_with_the_reload_script_and_publishes_what_build_writes(
        minimal_site: Path, tmp_path: Path) -> None:
    with Preview(minimal_site) as preview:
        preview.start()
        assert preview.base == preview.root + "ceshi/"
        status, headers, html = get(preview.base + "warnings/")
        assert status == 200 and "预付卡消费提醒" in html
        assert html.count(TAG) == 1 and html.index(TAG) < html.index("</head>")
        assert headers["Content-Security-Policy"] == documented_csp()
        assert headers["Cache-Control"] == "no-store"
        status, headers, script = get(preview.root + "__gongshi__/livereload.js")
        assert status == 200 and headers["Content-Type"].startswith("text/javascript") and "EventSource" in script
        status, headers, css = get(preview.root + "__gongshi__/livereload.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css") and ".gongshi-overlay" in css
        # The host's root and the sub-path without its slash lead to the site; a folder without its slash too.
        assert get(preview.root)[2] == get(preview.base)[2]
        assert get(preview.root + "ceshi")[2] == get(preview.base)[2]
        assert get(preview.base + "warnings")[2] == html
        # Search: the merchants' full text comes with the pages, the warnings' bundle once Pagefind has finished.
        status, _, text = get(preview.base + "search/text/manifest.json")
        assert status == 200 and json.loads(text)["merchants"] == 3
        preview.wait_for(r"^Search index of build 1 ready: 1 pages indexed")
        status, _, listed = get(preview.base + "pagefind/bundles.json")  # the bundles, as `gongshi build` cuts them
        assert status == 200
        counts = []
        for bundle in json.loads(listed)["bundles"]:
            status, _, entry = get(preview.base + f"pagefind/{bundle}pagefind-entry.json")
            assert status == 200
            counts += [language["page_count"] for language in json.loads(entry)["languages"].values()]
        assert sum(counts) == 1
        preview.wait_for(r"^Build 1 \(pages and search index\) published to .*output")
        assert preview.stop() == 0
    assert run_cli("build", minimal_site, "--output", tmp_path / "built").returncode == 0
    published = snapshot(minimal_site / "output")
    assert published == snapshot(tmp_path / "built")
    assert "pagefind/bundles.json" in published
    assert leftovers(minimal_site) == []


def test_the_first_build_links_what_gongshi_build_left_and_leaves_it_its_spare(minimal_site: Path) -> None:
    warning = minimal_site / "content" / "warnings" / "prepaid.md"
    assert run_cli("build", minimal_site).returncode == 0
    edit(warning, "办理预付卡前", "办理预付卡之前")
    assert run_cli("build", minimal_site).returncode == 0  # the first output is now the spare
    spare = minimal_site / ".gongshi" / "previous"
    assert spare.is_dir()
    edit(warning, "title: 预付卡消费提醒", "title: 预付卡退费提醒")  # a change the preview's first build must show
    output = minimal_site / "output"
    page = "merchants/91350100M000100Y43/index.html"
    with Preview(minimal_site) as preview:
        preview.start()
        assert "预付卡退费提醒" in get(preview.base + "warnings/")[2]
        built = [folder for folder in minimal_site.glob(".output.serve-*/build-1") if folder.is_dir()]
        assert len(built) == 1
        # the unchanged pages are the output's files, not rendered again; the pages the edit reaches are new
        unchanged = [route for route in ("merchants/index.html", "pages/about/index.html", "periods/index.html")
                     if (output / route).is_file()]
        assert unchanged and all(os.path.samefile(built[0] / route, output / route) for route in unchanged)
        assert not os.path.samefile(built[0] / page, output / page)
        assert spare.is_dir()  # `gongshi build`'s spare is left to it
        preview.wait_for(r"^Build 1 \(pages and search index\) published to .*output")
        assert preview.stop() == 0
    assert spare.is_dir()
    # What the preview published is described for `gongshi build`: it renders nothing again, and writes what a
    # clean build writes.
    again = build(BuildOptions(minimal_site, as_of=dt.date(2026, 11, 20)))
    assert again.site is not None and again.rendered == 0 and again.kept == again.pages - 1  # (404.html: always)
    assert run_cli("build", minimal_site, "--clean", "--output", minimal_site.parent / "clean").returncode == 0
    assert snapshot(output) == snapshot(minimal_site.parent / "clean")


def test_the_reload_script_is_never_in_a_build(sample_output: Path) -> None:
    found = [p for p in sample_output.rglob("*") if p.is_file() and (b"__gongshi__" in p.read_bytes()
                                                                      or b"livereload" in p.read_bytes())]
    assert found == []
    assert not (sample_output / "assets" / "livereload.js").exists()


def test_an_edit_rebuilds_a_broken_file_is_shown_and_the_last_good_site_stays(minimal_site: Path) -> None:
    warning = minimal_site / "content" / "warnings" / "prepaid.md"
    with Preview(minimal_site) as preview:
        preview.start()
        first = preview.status()
        assert first["problems"] == [] and first["build"].endswith("-1") and not first["building"]
        edit(warning, "title: 预付卡消费提醒", "title: 预付卡退费提醒")
        second = preview.wait_status(lambda s: s["build"] != first["build"] and not s["building"])
        assert "预付卡退费提醒" in get(preview.base + "warnings/")[2]
        assert preview.wait_for(r"^Built \d+ pages in [\d.]+ s after changes to content/warnings/prepaid\.md: ")

        edit(warning, "type: 消费提醒", "type: 消费警告")
        broken = preview.wait_status(lambda s: bool(s["problems"]))
        assert broken["problems"] == [BAD_TYPE] and broken["build"] == second["build"]
        preview.wait_for(r"^content/warnings/prepaid\.md:4:7: type: ", stream="err")
        status, _, html = get(preview.base + "warnings/")  # the last good build, still whole
        assert status == 200 and "预付卡退费提醒" in html and f'data-build="{second["build"]}"' in html

        edit(warning, "type: 消费警告", "type: 消费提醒")
        fixed = preview.wait_status(lambda s: s["build"] not in (first["build"], second["build"]))
        assert fixed["problems"] == []
        # Swap and backup files of an editor cause no build.
        builds = preview.builds()
        (warning.parent / ".prepaid.md.swp").write_text("x", "utf-8")
        (warning.parent / "prepaid.md~").write_text("x", "utf-8")
        (warning.parent / "4913").write_text("", "utf-8")
        (minimal_site / "output" / "stray.txt").parent.mkdir(exist_ok=True)
        (minimal_site / "output" / "stray.txt").write_text("x", "utf-8")
        time.sleep(1.5)
        assert preview.builds() == builds and preview.status()["build"] == fixed["build"]
        assert preview.stop() == 0


def test_site_yaml_and_a_theme_of_the_site_are_watched(minimal_site: Path) -> None:
    with Preview(minimal_site) as preview:
        preview.start()
        edit(minimal_site / "site.yaml", "title: 测试区消费投诉信息公示", "title: 测试区公示预览")
        preview.wait_for(r"after changes to site\.yaml: ")
        assert "测试区公示预览" in get(preview.base)[2]
        static = minimal_site / "themes" / "default" / "static"
        static.mkdir(parents=True)  # a theme folder made while the preview runs is watched from then on
        preview.wait_for(r"after changes to themes")
        (static / "site.css").write_text("body { color: #000; }\n/* preview-test */\n", "utf-8")
        preview.wait_for(r"after changes to themes/default/static/site\.css: ")
        assert "preview-test" in get(preview.base + "assets/site.css")[2]
        assert preview.stop() == 0


def test_a_broken_site_at_start_keeps_the_server_up_until_it_is_fixed(minimal_site: Path) -> None:
    warning = minimal_site / "content" / "warnings" / "prepaid.md"
    edit(warning, "type: 消费提醒", "type: 消费警告")
    with Preview(minimal_site) as preview:
        preview.start(built=False)
        preview.wait_for(r"^Build failed: 1 problem\(s\) found; nothing to serve yet", stream="err")
        status, headers, html = get(preview.root + "ceshi/warnings/")
        assert status == 503 and TAG + '"' in html and headers["Content-Security-Policy"] == documented_csp()
        assert preview.status()["problems"] == [BAD_TYPE]
        edit(warning, "type: 消费警告", "type: 消费提醒")
        preview.wait_for(r"^Built \d+ pages")
        assert get(preview.root + "ceshi/warnings/")[0] == 200
        assert preview.stop() == 0
    assert leftovers(minimal_site) == []


def test_a_page_that_is_gone_is_the_404_page_at_the_same_url(minimal_site: Path) -> None:
    with Preview(minimal_site) as preview:
        preview.start()
        url = preview.base + "pages/about/"
        assert get(url)[0] == 200
        (minimal_site / "content" / "pages" / "about.md").unlink()
        preview.wait_for(r"after changes to content/pages/about\.md: ")
        status, _, html = get(url)
        assert status == 404 and "页面未找到" in html and html.count(TAG) == 1
        assert preview.stop() == 0


def test_path_tricks_over_http_show_nothing_outside_the_build(minimal_site: Path) -> None:
    with Preview(minimal_site) as preview:
        preview.start()
        port = urlsplit(preview.root).port
        for path in ("/ceshi/%2e%2e/site.yaml", "/ceshi/..%2fsite.yaml", "/ceshi/%2e%2e/%2e%2e/etc/passwd",
                     "/ceshi/a%5c..%5c..%5csite.yaml", "/ceshi/%ff"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            connection.close()
            assert response.status in (400, 404), path
            assert b"base_url" not in body and b"root:" not in body, path
        assert preview.stop() == 0


def test_no_reload_rebuilds_without_adding_the_script(minimal_site: Path) -> None:
    with Preview(minimal_site, "--no-reload") as preview:
        preview.start()
        assert "__gongshi__" not in get(preview.base)[2]
        assert preview.stop() == 0


def test_output_option_decides_where_the_builds_go(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "preview-out"
    with Preview(minimal_site, "--output", str(out)) as preview:
        preview.start()
        assert any(p.name.startswith(".preview-out.serve-") for p in out.parent.iterdir())
        preview.wait_for(r"published to .*preview-out")
        assert preview.stop() == 0
    assert (out / "index.html").is_file() and (out / "pagefind" / "bundles.json").is_file()
    assert not (minimal_site / "output").exists()
    assert leftovers(out.parent) == []


def test_an_unsafe_output_is_refused_before_serving(minimal_site: Path) -> None:
    result = run_cli("serve", minimal_site, "--output", minimal_site / "content", "--port", "0")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "--output: " in result.stderr and "is inside content/" in result.stderr


def test_a_port_in_use_is_named_with_the_option_to_change_it(minimal_site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", minimal_site, "--port", str(port))
    assert result.returncode == 2, result.stderr
    assert f"Error: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"--port {port + 1}" in result.stderr and "Traceback" not in result.stderr
    assert leftovers(minimal_site) == [] and not (minimal_site / "output").exists()


def test_host_0000_prints_a_warning_and_loopback_does_not(minimal_site: Path) -> None:
    with Preview(minimal_site, "--host", "0.0.0.0") as preview:
        preview.start(built=False)
        preview.wait_for(r"^Warning: --host 0\.0\.0\.0 shows this preview.*to every computer", stream="err")
        assert preview.root.startswith("http://127.0.0.1:")
        assert preview.stop() == 0
    with Preview(minimal_site) as preview:
        preview.start()
        assert preview.stop() == 0
        assert not any("Warning" in line for line in preview.err)


@pytest.mark.parametrize("moment", ["at once, started in the background", "while building", "while indexing",
                                    "idle"])
def test_ctrl_c_stops_cleanly(minimal_site: Path, moment: str) -> None:
    with Preview(minimal_site, background=moment.startswith("at once")) as preview:
        preview.start(built=False)
        if moment == "while indexing":
            preview.wait_for(r"^Built ")
        elif moment == "idle":
            preview.wait_for(r"published to ")
        status = preview.stop(signal.SIGINT)
        assert status == 0, preview.transcript()
        assert preview.out[-1] == "Stopped."
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in preview.err), preview.err
    time.sleep(0.5)  # a Pagefind left running would write its bundle now
    assert leftovers(minimal_site) == []
    output = minimal_site / "output"
    assert not output.exists() or (output / "index.html").is_file()


def test_sigterm_stops_cleanly_too(minimal_site: Path) -> None:
    with Preview(minimal_site) as preview:
        preview.start()
        assert preview.stop(signal.SIGTERM) == 0 and preview.out[-1] == "Stopped."
    assert leftovers(minimal_site) == []


def test_as_of_decides_what_the_preview_publishes(minimal_site: Path) -> None:
    with Preview(minimal_site, "--as-of", "2026-10-20") as preview:  # the warning is dated 2026-11-01
        preview.start()
        assert "预付卡消费提醒" not in get(preview.base + "warnings/")[2]
        assert "信息截至" in get(preview.base)[2] and "2026年10月20日" in get(preview.base)[2]
        assert preview.stop() == 0
    with Preview(minimal_site, "--as-of", "2026-11-02") as preview:
        preview.start()
        assert "预付卡消费提醒" in get(preview.base + "warnings/")[2]
        assert preview.stop() == 0


def test_a_killed_previews_work_folder_is_removed_by_the_next_one_never_a_running_ones(minimal_site: Path) -> None:
    with Preview(minimal_site) as killed, Preview(minimal_site) as running:
        killed.start()
        running.start()
        folders = leftovers(minimal_site)
        assert len(folders) == 2 and all((minimal_site / f / "owner.json").is_file() for f in folders)
        killed.stop(signal.SIGKILL)
        assert leftovers(minimal_site) == folders  # kill -9: nothing could clean up
        owner = json.loads((minimal_site / folders[0] / "owner.json").read_text("utf-8"))
        gone = folders[0] if owner["pid"] == killed.process.pid else folders[1]
        alive = folders[1] if gone == folders[0] else folders[0]
        reused = minimal_site / ".output.serve-reused"  # a pid that runs again, but another process now
        (reused / "build-1").mkdir(parents=True)
        (reused / "owner.json").write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid(),
                                                       "start": "another-boot:1"}), "utf-8")
        unknown = minimal_site / ".output.serve-unknown"  # made by an older gongshi: no owner record
        unknown.mkdir()
        with Preview(minimal_site) as third:
            third.start()
            line = third.wait_for(r"^Removed 2 work folder", stream="err").string
            assert str(minimal_site / gone) in line and str(reused) in line and alive not in line
            third.wait_for(rf"^Left {unknown}: no record of the preview that made it", stream="err")
            assert (minimal_site / alive / "owner.json").is_file()
            assert get(running.base)[0] == 200  # the other preview still serves from its folder
            assert third.stop() == 0
        assert running.stop() == 0
    assert leftovers(minimal_site) == [".output.serve-unknown"]
