"""How long `gongshi verify` takes on a large site: over HTTP from nginx on loopback, and on a folder.

Beside each, a peer doing the same job in the same run: curl fetching every URL with the same number of
parallel transfers (fetching only, no hashing: a lower bound), and GNU `sha256sum -c` on the folder.
Needs nginx and curl (./scripts/setup --test installs nginx).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests"))

from generate import generate_site  # noqa: E402

from nginxserver import NginxServer, find_nginx  # noqa: E402

MB = 1024 * 1024


def run(command: list[str], cwd: Path = REPO) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a command (from the repository root unless told); return its wall time and result."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - started, done


def gongshi(*args: str | Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run this checkout's `gongshi ARGS`; stop when it fails in an unexpected way."""
    seconds, done = run([sys.executable, "-m", "builder", *map(str, args)])
    if done.returncode not in (0, 1):
        sys.exit(f"gongshi {' '.join(map(str, args))} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, done


def curl_all(base_url: str, paths: list[str], parallel: int, work: Path) -> float:
    """Seconds curl takes to GET every path with `parallel` transfers at once, bodies thrown away."""
    config = work / "curl.conf"
    config.write_text("".join(f'url = "{base_url}{quote(p)}"\noutput = "/dev/null"\n' for p in paths), "utf-8")
    seconds, done = run(["curl", "--silent", "--show-error", "--fail", "--parallel", "--parallel-max",
                         str(parallel), "--config", str(config)])
    if done.returncode != 0:
        sys.exit(f"curl failed (exit {done.returncode}): {done.stderr[-500:]}")
    return seconds


def main() -> None:
    """Generate, build, publish and serve one site, then time verify and its peers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="merchants per period (10000 for the figure in the README)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--no-search", action="store_true", help="build without the Pagefind index")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    nginx = find_nginx()
    if nginx is None or shutil.which("curl") is None:
        sys.exit("needs nginx and curl (./scripts/setup --test installs nginx)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="gongshi-bench-verify-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        site, out, dest = work / "site", work / "output", work / "dest"
        generate_site(args.n, site, periods=3, seed=1)
        build_s, _ = gongshi("build", site, "--output", out, *(["--no-search"] if args.no_search else []))
        publish_s, _ = gongshi("publish", dest, "--output", out)
        paths = [line[66:] for line in (out / "SHA256SUMS").read_text("utf-8").splitlines()] + ["SHA256SUMS"]
        size = sum((out / p).stat().st_size for p in paths)
        server = NginxServer(nginx, dest / "current", work / "nginx", resolve=False)
        (work / "nginx").mkdir(exist_ok=True)
        server.start()
        try:
            from builder.verify import WORKERS

            http_s, done = gongshi("verify", server.base_url, "--output", out, "--format", "json")
            report = json.loads(done.stdout)
            curl_s = curl_all(server.base_url, paths, WORKERS, work)
        finally:
            server.stop()
        folder_s, folder = gongshi("verify", dest / "current", "--output", out, "--format", "json")
        sha_s, sha = run(["sha256sum", "--check", "--quiet", "--strict", "SHA256SUMS"], cwd=dest / "current")
        figures = {
            "n": args.n, "files": len(paths), "mb": round(size / MB, 1), "build_s": round(build_s, 1),
            "publish_s": round(publish_s, 1), "verify_http_s": round(http_s, 2),
            "verify_http_inner_s": report["seconds"], "verify_http_status": report["status"],
            "curl_fetch_only_s": round(curl_s, 2), "verify_folder_s": round(folder_s, 2),
            "verify_folder_status": json.loads(folder.stdout)["status"], "sha256sum_c_s": round(sha_s, 2),
            "sha256sum_c_status": sha.returncode, "workers": WORKERS,
        }
        print(f"N={args.n}: {len(paths)} files, {size / MB:.1f} MB (build {build_s:.1f} s, publish {publish_s:.1f} s)")
        print(f"  verify over HTTP (nginx, loopback): {http_s:6.2f} s  {len(paths) / http_s:7.0f} files/s  "
              f"exit {report['status']}  ({report['seconds']:.2f} s after Python's start-up)")
        print(f"  curl, fetch only, {WORKERS} parallel:   {curl_s:6.2f} s  {len(paths) / curl_s:7.0f} files/s  "
              f"(verify/curl = {http_s / curl_s:.2f})")
        print(f"  verify a folder:                    {folder_s:6.2f} s  exit {figures['verify_folder_status']}")
        print(f"  sha256sum -c on the folder:         {sha_s:6.2f} s  (verify/sha256sum = {folder_s / sha_s:.2f})")
        if args.json:
            args.json.write_text(json.dumps(figures, indent=1) + "\n", "utf-8")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
