"""What photos cost a build: N phone-sized JPEGs (GPS EXIF) in one warning, against the same site without them.

    .venv/bin/python bench/photos.py 20            # 20 photos of 4000 × 3000 pixels
    .venv/bin/python bench/photos.py 20 --size 2000x1500

A new site from `gongshi init` is built twice with `--no-search` (as of SOURCE_DATE_EPOCH = 2026-11-20):
once as it is, once with a warning that shows N photos. Each photo is re-encoded on the way out (EXIF and GPS
stripped). Prints seconds and the peak memory of each build, and the cost per photo.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1795132800"}


def photo(width: int, height: int, seed: int) -> bytes:
    """A noisy photo-like JPEG (quality 90) with GPS coordinates in its EXIF."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (39.0, 54.0, float(seed)), 3: "E", 4: (116.0, 23.0, 30.0)}
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40 + seed % 7).convert("RGB")
    out = io.BytesIO()
    Image.blend(base, noise, 0.35).save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def build(site: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of one `gongshi build` in a child process."""
    code = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]).returncode; "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "builder", "build", str(site),
                           "--output", str(out), "--no-search"], cwd=ROOT, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stderr}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--size", default="4000x3000", help="photo size WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        subprocess.run([sys.executable, "-m", "builder", "init", str(site)], cwd=ROOT, env=ENV, check=True,
                       capture_output=True)
        plain = build(site, Path(tmp) / "plain")
        folder = site / "content" / "warnings" / "照片"
        folder.mkdir()
        total = 0
        for n in range(args.count):
            data = photo(width, height, n)
            total += len(data)
            (folder / f"现场{n + 1:03d}.jpg").write_bytes(data)
        body = "\n\n".join(f"![现场照片{n + 1}](照片/现场{n + 1:03d}.jpg)" for n in range(args.count))
        (site / "content" / "warnings" / "2026-11-10-photos.md").write_text(
            f"---\ntitle: 现场照片\ndate: 2026-11-10\ntype: 典型案例\n---\n{body}\n", "utf-8")
        with_photos = build(site, Path(tmp) / "photos")
        published = sum(p.stat().st_size for p in (Path(tmp) / "photos" / "files").rglob("*.jpg"))
    print(f"{args.count} photos of {width} × {height} ({total / 1e6:.1f} MB in, {published / 1e6:.1f} MB out)")
    print(f"build without photos: {plain[0]:.2f} s, peak {plain[1]:.0f} MB")
    print(f"build with photos:    {with_photos[0]:.2f} s, peak {with_photos[1]:.0f} MB")
    print(f"per photo: {(with_photos[0] - plain[0]) / max(1, args.count) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
