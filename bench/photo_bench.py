"""Photo upload on a 12 MP JPEG: the shop's Pillow pipeline beside pyvips making the same
six files, interleaved in one run, each run in a fresh subprocess.

    python -m bench.photo_bench [--runs 7] [--photo PATH] [--naive] [--before DIR] [--append]

pyvips is optional (``pip install -e '.[bench]'``); without it only Pillow runs.

Kinds (each a subprocess per run, in turn, so every kind sees the same machine load):

- ``pillow``: ``shop.media.pipeline.process_upload``, the function the upload views call
  (header check, decode through ``draft()``, orientation, sRGB, metadata dropped, the
  1600/800/400 px variants as WebP q80 method 2 and progressive optimised JPEG q82, the
  pixel digest that names the files), with its encodings on two threads;
- ``pillow-1t``: the same with ``ENCODE_THREADS = 1`` (everything on one thread);
- ``pyvips``: libvips doing the same work: ``thumbnail_buffer`` to 1600 px (shrink-on-load,
  lanczos3, auto-rotate), 800 and 400 each from the next larger with lanczos3, the same
  encoders and settings (``keep="none"``: no metadata), the same blake2b digest of the
  1600 px pixels; libvips' default threads (one per core);
- ``pyvips-1t``: the same with ``VIPS_CONCURRENCY=1``;
- ``naive`` (``--naive``): Pillow decoding all 12 MP and resizing from full size each time;
- ``before`` (``--before CHECKOUT``): ``process_upload`` of another checkout's
  ``shop/media/pipeline.py`` (e.g. ``main``), to time a change before and after.

Measured in the child around the work only: wall time (``perf_counter``), CPU time of the
process (user + system, all threads), peak memory above the baseline (the kernel's peak
mark is reset through ``/proc/self/clear_refs`` after imports and reading the upload,
then ``VmHWM − VmRSS``), and the whole process's ``ru_maxrss`` (imports included).

The photo (unless ``--photo``): 4000×3000, shapes and gradients blurred like out-of-focus
areas, plus seeded per-pixel colour grain like sensor noise, saved at quality 92, so the
file is the size of a camera's (about 4 MB) and does not compress like a flat test card.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 80
_BEFORE: Path | None = None
WIDTHS = (1600, 800, 400)
KINDS = ("pillow", "pyvips", "pillow-1t", "pyvips-1t")
LABELS = {
    "pillow": "Pillow: the shop's pipeline (`process_upload`), 2 threads",
    "pillow-1t": "Pillow: the shop's pipeline, `ENCODE_THREADS = 1`",
    "pyvips": "pyvips: the same six files, libvips' default threads",
    "pyvips-1t": "pyvips: the same, `VIPS_CONCURRENCY=1`",
    "naive": "naive Pillow: full decode, each width resized from full size",
    "before": "Pillow: the pipeline of `--before` (the code before this change)",
}


def make_photo(path: Path, size=(4000, 3000), seed: int = 13) -> None:
    """A deterministic photo-like JPEG: blurred shapes and gradients plus colour grain."""
    from PIL import Image, ImageDraw, ImageFilter

    w, h = size
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    draw = ImageDraw.Draw(base)
    for _ in range(60):
        x, y = rng.randrange(w), rng.randrange(h)
        rx, ry = rng.randrange(w // 30, w // 5), rng.randrange(h // 30, h // 5)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=colour)
    for _ in range(400):  # thin sharp lines: edges the resampling must keep
        x, y = rng.randrange(w), rng.randrange(h)
        draw.line((x, y, x + rng.randrange(-300, 300), y + rng.randrange(-300, 300)), width=2)
    base = base.filter(ImageFilter.GaussianBlur(3))
    grain = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    photo = Image.blend(base, grain, 0.12)
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


def _naive(data: bytes) -> dict[str, bytes]:
    from PIL import Image

    files = {}
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        for width in WIDTHS:
            height = round(im.height * width / im.width)
            resized = im.resize((width, height), Image.Resampling.LANCZOS)
            for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
                out = io.BytesIO()
                resized.save(out, fmt, quality=82)
                files[f"{width}.{ext}"] = out.getvalue()
    return files


def _pillow(data: bytes) -> dict[str, bytes]:
    from shop.media.pipeline import process_upload

    return process_upload(data, max_mb=50).files


def _before(data: bytes) -> dict[str, bytes]:
    return sys.modules["before_pipeline"].process_upload(data, max_mb=50).files


def _load_before(checkout: str) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "before_pipeline", Path(checkout, "shop", "media", "pipeline.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["before_pipeline"] = module
    spec.loader.exec_module(module)


def _pyvips(data: bytes) -> dict[str, bytes]:
    import pyvips

    largest = pyvips.Image.thumbnail_buffer(data, WIDTHS[0], size="down").copy_memory()
    digest = hashlib.blake2b(
        f"{largest.width}x{largest.height}:".encode() + largest.write_to_memory(),
        digest_size=16,
    ).hexdigest()
    variants, current = [largest], largest
    for width in WIDTHS[1:]:
        current = current.resize(width / current.width, kernel="lanczos3").copy_memory()
        variants.append(current)
    files = {}
    for im in variants:
        files[f"{digest}-{im.width}.webp"] = im.webpsave_buffer(Q=80, effort=2, keep="none")
        files[f"{digest}-{im.width}.jpg"] = im.jpegsave_buffer(
            Q=82, optimize_coding=True, interlace=True, keep="none"
        )
    return files


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, path: str, keep: str = "") -> None:
    """One measured run (in its own process); prints a JSON line. With ``keep`` (a
    directory), the files are written there after the measurement."""
    import PIL.Image
    import PIL.WebPImagePlugin  # noqa: F401  (imports are part of the baseline)

    if kind.startswith("pyvips"):
        import pyvips  # noqa: F401

        work = _pyvips
    else:
        import shop.media.pipeline

        if kind == "pillow-1t":
            shop.media.pipeline.ENCODE_THREADS = 1
        work = _naive if kind == "naive" else _pillow
        if kind == "before":
            _load_before(os.environ["PHOTO_BENCH_BEFORE"])
            work = _before

    data = Path(path).read_bytes()
    if not _reset_peak():
        raise SystemExit("cannot reset the peak RSS mark (/proc/self/clear_refs)")
    before = _status_mb("VmRSS")
    cpu = _cpu_seconds()
    start = time.perf_counter()
    files = work(data)
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    peak = _status_mb("VmHWM")
    sizes = []
    for name, body in files.items():
        with PIL.Image.open(io.BytesIO(body)) as im:
            sizes.append([im.format, *im.size])
            if keep:
                ext = name.rsplit(".", 1)[1]
                Path(keep, f"{kind}-{im.width}.{ext}").write_bytes(body)
    print(
        json.dumps(
            {
                "kind": kind,
                "ms": elapsed * 1000,
                "cpu_ms": cpu * 1000,
                "peak_mb": peak - before,
                "baseline_mb": before,
                "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "bytes_out": sum(len(b) for b in files.values()),
                "files": sorted(sizes),
            }
        )
    )


def run(kind: str, path: Path, keep: Path | None = None) -> dict:
    env = dict(os.environ)
    if kind == "pyvips-1t":
        env["VIPS_CONCURRENCY"] = "1"
    if kind == "before":
        env["PHOTO_BENCH_BEFORE"] = str(_BEFORE)
    out = subprocess.run(
        [sys.executable, "-m", "bench.photo_bench", "--child", kind, str(path), str(keep or "")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = os.getloadavg()[0]
    return result


def _have_pyvips() -> bool:
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--photo", type=Path, help="a real JPEG instead of the made one")
    parser.add_argument("--naive", action="store_true", help="also the naive Pillow resize")
    parser.add_argument("--before", type=Path, help="a checkout whose pipeline to time too")
    parser.add_argument("--append", action="store_true", help="append to bench/RESULTS.md")
    parser.add_argument(
        "--child", nargs=3, metavar=("KIND", "PATH", "KEEP"), help=argparse.SUPPRESS
    )
    parser.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--quality", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.make:
        make_photo(args.make)
        return
    if args.quality:
        print(json.dumps(quality(args.quality)))
        return

    kinds = [k for k in KINDS if _have_pyvips() or not k.startswith("pyvips")]
    if args.naive:
        kinds.append("naive")
    if args.before:
        global _BEFORE
        _BEFORE = args.before.resolve()
        kinds.insert(1, "before")
    # The parent stays small (Pillow and the photo only in subprocesses): a child's
    # ru_maxrss starts from its parent's high-water mark at fork.
    with tempfile.TemporaryDirectory() as tmp:
        path = args.photo or Path(tmp) / "photo.jpg"
        if not args.photo:
            _bench_process("--make", str(path))
        size_mb = path.stat().st_size / (1024 * 1024)
        results: dict[str, list[dict]] = {kind: [] for kind in kinds}
        for i in range(args.runs):  # interleaved, so every kind sees the same machine load
            for kind in kinds:
                results[kind].append(run(kind, path, keep=Path(tmp) if i == 0 else None))
        shutil.copy(path, Path(tmp) / "source.jpg")
        scores = json.loads(_bench_process("--quality", tmp))

    same = {json.dumps(r[0]["files"]) for r in results.values()}
    if len(same) != 1:
        raise SystemExit(f"the kinds made different files: {same}")
    rows = [_summary(kind, runs, scores.get(kind, {})) for kind, runs in results.items()]
    loads = [r["load"] for runs in results.values() for r in runs]
    report = _report(rows, scores["pixels"], size_mb, args, min(loads), max(loads))
    from bench.servers import publish  # here: the measured runs are fresh processes

    publish(report, args.append)


def _bench_process(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "bench.photo_bench", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=300,
    )
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def _psnr(a, b) -> float:
    from PIL import ImageChops

    histogram = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).histogram()
    squared = sum((i % 256) ** 2 * count for i, count in enumerate(histogram))
    mse = squared / (a.width * a.height * 3)
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def quality(folder: Path) -> dict:
    """PSNR (dB) of every kept file against the source decoded at full size and resized
    with Lanczos to the file's size; the lowest per kind and format."""
    from PIL import Image

    with Image.open(folder / "source.jpg") as source:
        source.load()
        pixels = f"{source.width}×{source.height}"
        references = {}
        scores: dict = {"pixels": pixels}
        for file in sorted(folder.glob("*-*.*")):
            kind, rest = file.name.rsplit("-", 1)
            with Image.open(file) as im:
                if im.size not in references:
                    references[im.size] = source.resize(im.size, Image.Resampling.LANCZOS)
                score = _psnr(im, references[im.size])
            fmt = rest.split(".")[1]
            best = scores.setdefault(kind, {}).get(fmt, 99.0)
            scores[kind][fmt] = min(best, score)
    return scores


def _summary(kind: str, runs: list[dict], scores: dict) -> dict:
    ms = [r["ms"] for r in runs]
    return {
        "kind": kind,
        "psnr": scores,
        "ms": statistics.median(ms),
        "ms_min": min(ms),
        "ms_max": max(ms),
        "cpu_ms": statistics.median(r["cpu_ms"] for r in runs),
        "mb": statistics.median(r["peak_mb"] for r in runs),
        "mb_max": max(r["peak_mb"] for r in runs),
        "baseline_mb": statistics.median(r["baseline_mb"] for r in runs),
        "maxrss_mb": max(r["maxrss_mb"] for r in runs),
        "kb_out": runs[0]["bytes_out"] / 1024,
    }


def _report(rows, pixels: str, size_mb: float, args, load_min: float, load_max: float) -> str:
    by_kind = {r["kind"]: r for r in rows}
    command = f"python -m bench.photo_bench --runs {args.runs}"
    if args.naive:
        command += " --naive"
    if args.before:
        command += f" --before {args.before}"
    lines = [
        f"## Photos: Pillow vs pyvips in one run (issue 13, {time.strftime('%Y-%m-%d')})",
        "",
        f"`{command} --append`: a {pixels}, {size_mb:.1f} MB "
        f"{'JPEG from ' + args.photo.name if args.photo else 'photo-like JPEG made by the bench'}"
        f"; {args.runs} runs of each kind, interleaved, each in a fresh subprocess; load "
        f"average (1 min) {load_min:.1f}–{load_max:.1f} across the runs on the shared "
        "2-core machine. Time = wall clock around the work; CPU = user + system of all "
        "the process's threads; peak = `VmHWM` after the work minus `VmRSS` before it "
        "(peak mark reset after the imports); `ru_maxrss` = the whole process, imports "
        "included. Every kind wrote the same six files (formats and pixel sizes checked). "
        "PSNR: each served file (first run) decoded and compared with the source decoded "
        "at full size and resized with Lanczos to the same size.",
        "",
        "| kind | wall median (min–max) | CPU median | peak above baseline, median "
        "(max) | baseline RSS | ru_maxrss (max) | output | PSNR, lowest of 3 sizes, "
        "WebP / JPEG |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {LABELS[r['kind']]} | {r['ms']:.0f} ms ({r['ms_min']:.0f}–{r['ms_max']:.0f}) "
            f"| {r['cpu_ms']:.0f} ms | {r['mb']:.0f} MB ({r['mb_max']:.0f}) "
            f"| {r['baseline_mb']:.0f} MB | {r['maxrss_mb']:.0f} MB | {r['kb_out']:.0f} KB "
            f"| {r['psnr'].get('webp', 0):.2f} / {r['psnr'].get('jpg', 0):.2f} dB |"
        )
    pillow = by_kind["pillow"]
    lines.append("")
    if "pyvips" in by_kind:
        vips = by_kind["pyvips"]
        ratio = pillow["ms"] / vips["ms"]
        verdict = "**met**" if pillow["ms"] <= vips["ms"] else "**missed**"
        lines.append(
            f"- Time, no slower than pyvips in the same run: {verdict} — Pillow "
            f"{pillow['ms']:.0f} ms vs pyvips {vips['ms']:.0f} ms (×{ratio:.2f}); CPU "
            f"{pillow['cpu_ms']:.0f} vs {vips['cpu_ms']:.0f} ms."
        )
    else:
        lines.append("- Time vs pyvips: not measured (pyvips not installed).")
    verdict = "**met**" if pillow["mb_max"] <= TARGET_MB else "**missed**"
    lines.append(
        f"- Peak ≤ {TARGET_MB} MB: {verdict} — {pillow['mb_max']:.0f} MB above the "
        f"baseline at most ({pillow['maxrss_mb']:.0f} MB for the whole process)."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
