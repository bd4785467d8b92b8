"""Photo pipeline on a 4000×3000 JPEG: time and peak memory per upload, beside a naive
Pillow resize, each run in a fresh subprocess.

    python -m bench.photo_bench [--runs 5] [--append]

Memory: every run is a new Python process that imports Pillow and the pipeline and reads
the upload's bytes (the baseline, ``VmRSS``); then the kernel's peak-RSS mark is reset
(``echo 5 > /proc/self/clear_refs``, Linux ≥ 4.0), the work runs, and the peak
(``VmHWM`` in /proc/self/status) minus the baseline is the peak above the baseline.
(``ru_maxrss`` alone cannot be used: it never goes down, and the imports already set it
higher than the work does.) Time is wall-clock (``perf_counter``) around the work only.

The photo is made here: a smooth gradient with shapes, blurred, plus per-pixel noise
(like sensor noise), saved at quality 92, so the JPEG is the size of a real camera file
(several MB) and does not compress like a flat test card.

"naive" = open, ``resize()`` the full decoded image to 1600/800/400 px wide and save each
as JPEG and WebP (the same six files the pipeline writes), no ``draft()``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 400
TARGET_MB = 80
WIDTHS = (1600, 800, 400)


def make_photo(path: Path, size=(4000, 3000)) -> None:
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for i in range(40):
        x, y = (i * 977) % w, (i * 613) % h
        colour = ((i * 53) % 255, (i * 97) % 255, (i * 31) % 255)
        draw.ellipse((x, y, x + w // 6, y + h // 5), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(12))
    noise = Image.effect_noise((w, h), 28).convert("RGB")
    photo = Image.blend(base, noise, 0.25)
    photo.save(path, "JPEG", quality=92)


def _status_mb(field: str) -> float:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) from /proc, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _naive(data: bytes) -> int:
    from PIL import Image

    written = 0
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        for width in WIDTHS:
            height = round(im.height * width / im.width)
            resized = im.resize((width, height), Image.Resampling.LANCZOS)
            for fmt in ("JPEG", "WEBP"):
                out = io.BytesIO()
                resized.save(out, fmt, quality=82)
                written += out.tell()
    return written


def _pipeline(data: bytes) -> int:
    from shop.media.pipeline import process_upload

    processed = process_upload(data, max_mb=50)
    return sum(len(b) for b in processed.files.values())


def child(kind: str, path: str) -> None:
    """One measured run (in its own process); prints a JSON line."""
    import PIL.Image  # noqa: F401  (imports are part of the baseline)
    import PIL.WebPImagePlugin  # noqa: F401

    import shop.media.pipeline  # noqa: F401

    data = Path(path).read_bytes()
    work = _pipeline if kind == "pipeline" else _naive
    if not _reset_peak():
        raise SystemExit("cannot reset the peak RSS mark (/proc/self/clear_refs)")
    before = _status_mb("VmRSS")
    start = time.perf_counter()
    written = work(data)
    elapsed = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    print(
        json.dumps(
            {
                "kind": kind,
                "ms": elapsed * 1000,
                "peak_mb": peak - before,
                "baseline_mb": before,
                "import_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "bytes_out": written,
            }
        )
    )


def run(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.photo_bench", "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "photo-4000x3000.jpg"
        make_photo(path)
        size_mb = path.stat().st_size / (1024 * 1024)
        results = {"pipeline": [], "naive": []}
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            for kind in results:
                results[kind].append(run(kind, path))

    rows = []
    for kind, runs in results.items():
        ms = [r["ms"] for r in runs]
        mb = [r["peak_mb"] for r in runs]
        rows.append(
            {
                "kind": kind,
                "ms_median": statistics.median(ms),
                "ms_min": min(ms),
                "ms_max": max(ms),
                "mb_median": statistics.median(mb),
                "mb_max": max(mb),
                "baseline_mb": statistics.median(r["baseline_mb"] for r in runs),
                "kb_out": runs[0]["bytes_out"] / 1024,
            }
        )
    report = _report(rows, size_mb, args.runs)
    print(report)
    if args.append:
        with (Path(__file__).resolve().parent / "RESULTS.md").open("a") as f:
            f.write("\n" + report)


def _report(rows: list[dict], size_mb: float, runs: int) -> str:
    load = os.getloadavg()[0]
    lines = [
        f"## Photo pipeline, 4000×3000 JPEG ({time.strftime('%Y-%m-%d')})",
        "",
        f"`python -m bench.photo_bench --runs {runs} --append`: a {size_mb:.1f} MB noisy "
        "photo-like JPEG, each run in a fresh subprocess; peak memory = `VmHWM` after the "
        "work (peak mark reset through /proc/self/clear_refs just before) minus `VmRSS` "
        "before it (baseline: Python + Pillow + pipeline imported, upload bytes read). "
        f"{runs} runs each, interleaved; load average {load:.1f} at the end.",
        "",
        "| method | time median (min–max) | peak above baseline, median (max) | baseline RSS "
        "| output (6 files) | targets ≤ 400 ms / ≤ 80 MB |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r["kind"] == "pipeline":
            hit = []
            hit.append("time met" if r["ms_median"] <= TARGET_MS else "**time MISSED**")
            hit.append("memory met" if r["mb_max"] <= TARGET_MB else "**memory MISSED**")
            verdict = ", ".join(hit)
            name = "pipeline (`process_upload`, draft + reduce)"
        else:
            verdict = "(comparison)"
            name = "naive Pillow resize"
        lines.append(
            f"| {name} | {r['ms_median']:.0f} ms ({r['ms_min']:.0f}–{r['ms_max']:.0f}) "
            f"| {r['mb_median']:.0f} MB ({r['mb_max']:.0f}) | {r['baseline_mb']:.0f} MB "
            f"| {r['kb_out']:.0f} KB | {verdict} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
