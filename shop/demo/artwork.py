"""Product photos drawn with Pillow for the demo shop.

Textiles (batik, tenun) fill the frame like a close-up of draped cloth; objects (rattan,
wood, leather, ceramics, paintings) stand on a soft studio backdrop with a shadow.
Every function takes ``size`` and a ``random.Random`` and returns an RGB image; nothing
here touches the database or the photo pipeline.
"""

from __future__ import annotations

import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

Size = tuple[int, int]
RGB = tuple[int, int, int]

# name → (background, motif, dark line, accent)
BATIK_PALETTES: dict[str, tuple[RGB, RGB, RGB, RGB]] = {
    "sogan": ((226, 205, 160), (122, 72, 34), (52, 30, 18), (176, 118, 58)),
    "indigo": ((30, 42, 86), (226, 219, 198), (14, 20, 44), (104, 132, 182)),
    "merah": ((150, 32, 36), (238, 222, 190), (60, 16, 18), (212, 150, 70)),
    "hijau": ((62, 86, 58), (230, 214, 170), (28, 40, 26), (170, 150, 80)),
    "krem": ((240, 230, 208), (40, 52, 96), (26, 26, 40), (160, 92, 40)),
}
TENUN_PALETTES: dict[str, list[RGB]] = {
    "merah": [(138, 28, 30), (30, 22, 20), (214, 160, 70), (236, 222, 196), (90, 30, 40)],
    "indigo": [(28, 38, 78), (200, 190, 170), (120, 40, 36), (16, 18, 30), (70, 96, 150)],
    "cokelat": [(98, 58, 34), (210, 170, 110), (40, 26, 18), (170, 60, 40), (236, 220, 190)],
    "hitam": [(26, 24, 24), (180, 40, 40), (220, 180, 80), (240, 236, 220), (60, 90, 80)],
}


def _vary(colour: RGB, rng: random.Random, amount: int = 12) -> RGB:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in colour)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _ellipse(cx: float, cy: float, rx: float, ry: float, angle: float, n: int = 36):
    """Polygon points of an ellipse rotated by ``angle`` radians."""
    ca, sa = math.cos(angle), math.sin(angle)
    points = []
    for i in range(n):
        t = 2 * math.pi * i / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return points


def _multiply(im: Image.Image, shade: Image.Image) -> Image.Image:
    return ImageChops.multiply(im, shade.convert("RGB"))


def _drape(im: Image.Image, rng: random.Random, strength: float = 0.22) -> Image.Image:
    """Soft vertical folds and a vignette, as if the cloth were hanging."""
    w, h = im.size
    folds = rng.uniform(2.0, 3.5)
    phase = rng.uniform(0, math.tau)
    row = bytes(
        round(255 * (1 - strength / 2 + strength / 2 * math.sin(phase + folds * math.tau * x / w)))
        for x in range(w)
    )
    shade = Image.frombytes("L", (w, 1), row).resize((w, h))
    vignette = Image.radial_gradient("L").resize((w, h))
    vignette = ImageOps.invert(vignette).point(lambda v: 205 + v * 50 // 255)
    return _multiply(im, ImageChops.multiply(shade, vignette))


def _crackle(im: Image.Image, colour: RGB, rng: random.Random, lines: int = 60) -> None:
    """Fine wandering lines where the wax cracked (``remukan``)."""
    w, h = im.size
    overlay = Image.new("L", im.size, 0)
    draw = ImageDraw.Draw(overlay)
    for _ in range(lines):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        angle = rng.uniform(0, math.tau)
        points = [(x, y)]
        for _ in range(rng.randint(8, 30)):
            angle += rng.uniform(-0.6, 0.6)
            x += math.cos(angle) * 14
            y += math.sin(angle) * 14
            points.append((x, y))
        draw.line(points, fill=rng.randint(50, 110), width=1)
    im.paste(Image.new("RGB", im.size, colour), mask=overlay)


def _dots(draw: ImageDraw.ImageDraw, box, colour: RGB, rng: random.Random, step: int, r: float):
    x0, y0, x1, y1 = box
    y = y0
    row = 0
    while y < y1:
        x = x0 + (step / 2 if row % 2 else 0)
        while x < x1:
            jx, jy = rng.uniform(-1, 1), rng.uniform(-1, 1)
            draw.ellipse((x + jx - r, y + jy - r, x + jx + r, y + jy + r), fill=colour)
            x += step
        y += step
        row += 1


# --- batik ---------------------------------------------------------------------------


def batik_kawung(size: Size, palette: str, rng: random.Random) -> Image.Image:
    bg, motif, dark, accent = BATIK_PALETTES[palette]
    w, h = size
    im = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(im)
    s = rng.choice((150, 170, 190)) * w / 1200
    _dots(draw, (0, 0, w, h), _mix(bg, dark, 0.25), rng, int(s / 6), s / 70)
    # Flowers sit on a square lattice turned by 45°: four oval petals around each point.
    for i in range(-2, int(w / s) + 3):
        for j in range(-2, int(2 * h / s) + 3):
            cx, cy = i * s + (s / 2 if j % 2 else 0), j * s / 2
            for k in range(4):
                a = math.pi / 4 + k * math.pi / 2
                px, py = cx + math.cos(a) * s * 0.26, cy + math.sin(a) * s * 0.26
                draw.polygon(_ellipse(px, py, s * 0.27, s * 0.15, a), fill=motif, outline=dark)
                draw.polygon(_ellipse(px, py, s * 0.17, s * 0.07, a), fill=accent)
                draw.ellipse(
                    (px - s * 0.02, py - s * 0.02, px + s * 0.02, py + s * 0.02), fill=dark
                )
            r = s * 0.05
            draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=dark)
            draw.line((cx - r * 2, cy, cx + r * 2, cy), fill=accent, width=2)
            draw.line((cx, cy - r * 2, cx, cy + r * 2), fill=accent, width=2)
    _crackle(im, dark, rng)
    return _drape(im, rng)


def batik_parang(size: Size, palette: str, rng: random.Random) -> Image.Image:
    bg, motif, dark, accent = BATIK_PALETTES[palette]
    w, h = size
    d = int(math.hypot(w, h)) + 40
    big = Image.new("RGB", (d, d), bg)
    draw = ImageDraw.Draw(big)
    band = rng.choice((130, 150, 170)) * w / 1200
    y = 0.0
    while y < d:
        # the blades ("lidah api"): slanted leaf shapes in a row along the band
        step = band * 0.62
        x = -step
        while x < d + step:
            cx, cy = x, y + band * 0.5
            draw.polygon(_ellipse(cx, cy, band * 0.52, band * 0.2, -0.75), fill=motif, outline=dark)
            draw.polygon(_ellipse(cx, cy, band * 0.34, band * 0.08, -0.75), fill=accent)
            draw.line(
                (cx - band * 0.25, cy + band * 0.22, cx + band * 0.25, cy - band * 0.22),
                fill=dark,
                width=max(1, int(band / 60)),
            )
            x += step
        # the border between bands with "mlinjon" diamonds
        yb = y + band
        draw.rectangle((0, yb - band * 0.06, d, yb + band * 0.06), fill=dark)
        x = 0.0
        while x < d:
            r = band * 0.09
            draw.polygon(
                [(x, yb - r), (x + r, yb), (x, yb + r), (x - r, yb)], fill=motif, outline=accent
            )
            x += band * 0.5
        y += band * 1.12
    big = big.rotate(45, resample=Image.Resampling.BICUBIC)
    left, top = (d - w) // 2, (d - h) // 2
    im = big.crop((left, top, left + w, top + h))
    _crackle(im, dark, rng, 40)
    return _drape(im, rng)


def batik_ceplok(size: Size, palette: str, rng: random.Random) -> Image.Image:
    bg, motif, dark, accent = BATIK_PALETTES[palette]
    w, h = size
    im = Image.new("RGB", size, bg)
    draw = ImageDraw.Draw(im)
    s = rng.choice((200, 240)) * w / 1200
    lw = max(2, int(s / 70))
    for i in range(-1, int(w / s) + 2):
        for j in range(-1, int(h / s) + 2):
            cx, cy = i * s + s / 2, j * s + s / 2
            # a diamond frame, an eight-petal rosette and a round heart
            r = s / 2
            draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], outline=dark)
            draw.line(
                [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy), (cx, cy - r)],
                fill=accent,
                width=lw,
            )
            for k in range(8):
                a = k * math.pi / 4
                px, py = cx + math.cos(a) * s * 0.22, cy + math.sin(a) * s * 0.22
                fill = motif if k % 2 == 0 else accent
                draw.polygon(_ellipse(px, py, s * 0.2, s * 0.075, a), fill=fill, outline=dark)
            draw.ellipse(
                (cx - s * 0.1, cy - s * 0.1, cx + s * 0.1, cy + s * 0.1),
                fill=dark,
                outline=motif,
                width=lw,
            )
            draw.ellipse((cx - s * 0.04, cy - s * 0.04, cx + s * 0.04, cy + s * 0.04), fill=motif)
            # small four-dot flowers on the corners between rosettes
            for ox, oy in ((0, 0), (s, 0), (0, s), (s, s)):
                qx, qy = cx - s / 2 + ox, cy - s / 2 + oy
                for k in range(4):
                    a = k * math.pi / 2
                    fx, fy = qx + math.cos(a) * s * 0.07, qy + math.sin(a) * s * 0.07
                    draw.ellipse(
                        (fx - s * 0.035, fy - s * 0.035, fx + s * 0.035, fy + s * 0.035), fill=motif
                    )
    _crackle(im, dark, rng, 50)
    return _drape(im, rng)


def batik_truntum(size: Size, palette: str, rng: random.Random) -> Image.Image:
    # Truntum is drawn light on a dark ground: swap the palette's roles.
    bg, motif, dark, accent = BATIK_PALETTES[palette]
    ground = dark if palette in ("sogan", "krem") else bg
    light = bg if palette in ("sogan", "krem") else motif
    w, h = size
    im = Image.new("RGB", size, ground)
    draw = ImageDraw.Draw(im)
    s = rng.choice((90, 105, 120)) * w / 1200
    for j in range(-1, int(h / s) + 2):
        for i in range(-1, int(w / s) + 2):
            cx = i * s + (s / 2 if j % 2 else 0) + rng.uniform(-3, 3)
            cy = j * s + rng.uniform(-3, 3)
            if (i + j) % 3 == 0:  # a small four-point star
                r = s * 0.16
                draw.polygon(
                    [
                        (cx, cy - r),
                        (cx + r * 0.3, cy - r * 0.3),
                        (cx + r, cy),
                        (cx + r * 0.3, cy + r * 0.3),
                        (cx, cy + r),
                        (cx - r * 0.3, cy + r * 0.3),
                        (cx - r, cy),
                        (cx - r * 0.3, cy - r * 0.3),
                    ],
                    fill=accent,
                )
                continue
            for k in range(8):  # a jasmine-like flower of eight round petals
                a = k * math.pi / 4 + (math.pi / 8 if j % 2 else 0)
                px, py = cx + math.cos(a) * s * 0.19, cy + math.sin(a) * s * 0.19
                r = s * 0.085
                draw.ellipse((px - r, py - r, px + r, py + r), fill=light)
            r = s * 0.09
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=accent)
            draw.ellipse((cx - r / 3, cy - r / 3, cx + r / 3, cy + r / 3), fill=ground)
    _crackle(im, _mix(ground, light, 0.5), rng, 50)
    return _drape(im, rng)


BATIK_MOTIFS = {
    "kawung": batik_kawung,
    "parang": batik_parang,
    "ceplok": batik_ceplok,
    "truntum": batik_truntum,
}


def batik(size: Size, motif: str, palette: str, rng: random.Random) -> Image.Image:
    return BATIK_MOTIFS[motif](size, palette, rng)


# --- tenun -----------------------------------------------------------------------------


def _weave_texture(im: Image.Image, pitch: int = 4) -> Image.Image:
    """Fine warp and weft threads over a flat design."""
    w, h = im.size
    row = bytes(255 if (x % pitch) else 205 for x in range(w))
    col = bytes(255 if (y % pitch) else 215 for y in range(h))
    warp = Image.frombytes("L", (w, 1), row).resize((w, h))
    weft = Image.frombytes("L", (1, h), col).resize((w, h))
    return _multiply(im, ImageChops.multiply(warp, weft))


def tenun(size: Size, palette: str, rng: random.Random, ikat: bool = True) -> Image.Image:
    colours = TENUN_PALETTES[palette]
    w, h = size
    im = Image.new("RGB", size, colours[0])
    draw = ImageDraw.Draw(im)
    y = 0.0
    unit = h / 1200
    while y < h:
        kind = rng.random()
        if ikat and kind < 0.45:
            band = rng.randint(120, 200) * unit
            base, figure, edge = rng.sample(colours, 3)
            draw.rectangle((0, y, w, y + band), fill=base)
            # ikat: nested diamonds and hooks with the blurred, stepped edges of tied-dye
            step = band * rng.choice((0.9, 1.1, 1.3))
            x = rng.uniform(-step, 0)
            cy = y + band / 2
            while x < w + step:
                for k, colour in enumerate((figure, edge, base, figure)):
                    r = band * (0.46 - k * 0.1)
                    pts = []
                    for px, py in ((x, cy - r), (x + r * 0.9, cy), (x, cy + r), (x - r * 0.9, cy)):
                        pts.append((px + rng.uniform(-4, 4) * unit, py))
                    draw.polygon(pts, fill=colour)
                hook = band * 0.14
                draw.rectangle(
                    (x + step / 2 - hook, cy - hook * 0.4, x + step / 2 + hook, cy + hook * 0.4),
                    fill=edge,
                )
                x += step
            y += band
        else:
            band = rng.choice((6, 10, 16, 28, 44)) * unit
            draw.rectangle((0, y, w, y + band), fill=_vary(rng.choice(colours), rng, 8))
            y += band
    # ikat bleeds along the warp: blur a little sideways only
    im = im.filter(ImageFilter.BoxBlur(1)).resize((w // 2, h)).resize((w, h))
    im = _weave_texture(im, 4)
    fringe = rng.random() < 0.5
    if fringe:
        fd = ImageDraw.Draw(im)
        for x in range(0, w, 6):
            fd.line((x, h - 40 * unit, x + rng.randint(-3, 3), h), fill=colours[1], width=3)
    return _drape(im, rng, 0.18)


# --- studio objects -----------------------------------------------------------------------


def _backdrop(size: Size, rng: random.Random, tone: RGB | None = None) -> Image.Image:
    w, h = size
    tone = tone or rng.choice([(236, 230, 220), (226, 222, 214), (240, 234, 226), (218, 214, 206)])
    top = _mix(tone, (255, 255, 255), 0.3)
    gradient = Image.linear_gradient("L").resize((w, h))
    im = Image.composite(Image.new("RGB", size, tone), Image.new("RGB", size, top), gradient)
    return im


def _place(
    canvas: Image.Image, texture: Image.Image, mask: Image.Image, rng: random.Random
) -> Image.Image:
    """Paste a textured object through ``mask`` with a floor shadow and soft edge shading."""
    w, h = canvas.size
    bbox = mask.getbbox() or (0, 0, w, h)
    shadow = Image.new("L", canvas.size, 0)
    sd = ImageDraw.Draw(shadow)
    x0, _, x1, y1 = bbox
    sd.ellipse((x0 + 10, y1 - h * 0.04, x1 + 30, y1 + h * 0.04), fill=120)
    shadow = shadow.filter(ImageFilter.GaussianBlur(w / 60))
    canvas = Image.composite(Image.new("RGB", canvas.size, (90, 80, 70)), canvas, shadow)
    # darker towards the edges of the object: a sense of volume
    inner = mask.filter(ImageFilter.GaussianBlur(w / 40))
    shade = inner.point(lambda v: 150 + v * 105 // 255)
    lit = _multiply(texture, shade)
    canvas.paste(lit, mask=mask)
    return canvas


def _rounded(size: Size, box, radius: float) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=radius, fill=255)
    return mask


def rattan_texture(size: Size, rng: random.Random) -> Image.Image:
    w, h = size
    base = rng.choice([(196, 152, 92), (182, 136, 78), (214, 178, 120), (150, 104, 60)])
    im = Image.new("RGB", size, _mix(base, (60, 40, 20), 0.55))
    draw = ImageDraw.Draw(im)
    cell = rng.choice((48, 60)) * w // 1200
    strands = 3
    gap = max(1, cell // 20)
    for i in range(w // cell + 1):
        for j in range(h // cell + 1):
            x, y = i * cell, j * cell
            horizontal = (i + j) % 2 == 0
            t = cell / strands
            for k in range(strands):
                colour = _vary(base, rng, 6)
                if horizontal:
                    box = (x + gap, y + k * t + gap, x + cell - gap, y + (k + 1) * t - gap)
                    draw.rounded_rectangle(box, radius=t / 2, fill=colour)
                    draw.line(
                        (box[0] + 3, box[1] + 2, box[2] - 3, box[1] + 2),
                        fill=_mix(colour, (255, 255, 255), 0.35),
                        width=2,
                    )
                else:
                    box = (x + k * t + gap, y + gap, x + (k + 1) * t - gap, y + cell - gap)
                    draw.rounded_rectangle(box, radius=t / 2, fill=colour)
                    draw.line(
                        (box[0] + 2, box[1] + 3, box[0] + 2, box[3] - 3),
                        fill=_mix(colour, (255, 255, 255), 0.35),
                        width=2,
                    )
    return im


def wood_texture(size: Size, rng: random.Random) -> Image.Image:
    w, h = size
    light, dark = rng.choice(
        [
            ((176, 120, 72), (112, 66, 36)),
            ((204, 160, 110), (150, 104, 62)),
            ((120, 74, 44), (70, 40, 22)),
            ((190, 140, 90), (130, 80, 44)),
        ]
    )
    im = Image.new("RGB", size, light)
    draw = ImageDraw.Draw(im)
    knots = [
        (rng.uniform(0.2, 0.8) * w, rng.uniform(0.1, 0.9) * h) for _ in range(rng.randint(1, 2))
    ]
    spacing = rng.uniform(9, 14) * w / 1200
    x = -20.0
    while x < w + 20:
        amp, freq, ph = rng.uniform(2, 8), rng.uniform(1.0, 2.5), rng.uniform(0, math.tau)
        colour = _mix(light, dark, rng.uniform(0.25, 0.9))
        points = []
        for yi in range(0, h + 20, 20):
            dx = amp * math.sin(ph + freq * math.tau * yi / h)
            for kx, ky in knots:
                dist = math.hypot(x - kx, yi - ky)
                dx += 60 * math.exp(-((dist / 70) ** 2)) * (1 if x >= kx else -1)
            points.append((x + dx, yi))
        draw.line(points, fill=colour, width=rng.choice((1, 2, 2, 3)))
        x += spacing * rng.uniform(0.5, 1.5)
    for kx, ky in knots:
        for r in range(22, 2, -4):
            draw.ellipse(
                (kx - r * 0.7, ky - r, kx + r * 0.7, ky + r),
                outline=_mix(dark, (30, 16, 8), 0.4),
                width=2,
            )
    im = im.filter(ImageFilter.GaussianBlur(0.8))
    return im


def leather_texture(size: Size, rng: random.Random) -> Image.Image:
    colour = rng.choice([(120, 66, 34), (70, 42, 28), (150, 92, 46), (40, 32, 30), (128, 40, 34)])
    noise = Image.effect_noise(size, 70).filter(ImageFilter.GaussianBlur(1.6))
    relief = noise.filter(ImageFilter.EMBOSS).point(lambda v: 200 + (v - 128) // 2)
    base = Image.new("RGB", size, colour)
    return _multiply(base, relief).point(lambda v: min(255, int(v * 1.25)))


def _stitch(draw: ImageDraw.ImageDraw, path: list[tuple[float, float]], colour: RGB, w: int):
    dash, gap = 18 * w / 1200, 10 * w / 1200
    for (x0, y0), (x1, y1) in zip(path, path[1:], strict=False):
        length = math.hypot(x1 - x0, y1 - y0)
        t = 0.0
        while t < length:
            a, b = t / length, min(t + dash, length) / length
            draw.line(
                (x0 + (x1 - x0) * a, y0 + (y1 - y0) * a, x0 + (x1 - x0) * b, y0 + (y1 - y0) * b),
                fill=colour,
                width=max(2, w // 300),
            )
            t += dash + gap


def _object_mask(size: Size, shape: str, rng: random.Random) -> tuple[Image.Image, list]:
    """A mask for an object and the outline path (for stitching or rims)."""
    w, h = size
    mask = Image.new("L", size, 0)
    md = ImageDraw.Draw(mask)
    if shape == "bag":
        top, bottom = h * 0.34, h * 0.82
        pts = [(w * 0.26, top), (w * 0.74, top), (w * 0.8, bottom), (w * 0.2, bottom)]
        md.rounded_rectangle((w * 0.2, top, w * 0.8, bottom), radius=w * 0.05, fill=255)
        md.polygon(pts, fill=255)
        md.arc((w * 0.34, h * 0.14, w * 0.66, h * 0.5), 180, 360, fill=255, width=int(w * 0.035))
        inset = w * 0.035
        path = [
            (w * 0.26 + inset, top + inset),
            (w * 0.74 - inset, top + inset),
            (w * 0.8 - inset, bottom - inset),
            (w * 0.2 + inset, bottom - inset),
            (w * 0.26 + inset, top + inset),
        ]
        return mask, path
    if shape == "wallet":
        box = (w * 0.18, h * 0.3, w * 0.82, h * 0.72)
        md.rounded_rectangle(box, radius=w * 0.04, fill=255)
        i = w * 0.03
        path = [
            (box[0] + i, box[1] + i),
            (box[2] - i, box[1] + i),
            (box[2] - i, box[3] - i),
            (box[0] + i, box[3] - i),
            (box[0] + i, box[1] + i),
        ]
        return mask, path
    if shape == "tray":
        md.ellipse((w * 0.12, h * 0.3, w * 0.88, h * 0.78), fill=255)
        return mask, []
    if shape == "basket":
        md.polygon(
            [(w * 0.22, h * 0.3), (w * 0.78, h * 0.3), (w * 0.7, h * 0.82), (w * 0.3, h * 0.82)],
            fill=255,
        )
        md.ellipse((w * 0.3, h * 0.76, w * 0.7, h * 0.86), fill=255)
        md.ellipse((w * 0.22, h * 0.25, w * 0.78, h * 0.35), fill=255)
        return mask, []
    if shape == "board":
        md.rounded_rectangle((w * 0.16, h * 0.34, w * 0.84, h * 0.74), radius=w * 0.05, fill=255)
        md.ellipse((w * 0.74, h * 0.5, w * 0.79, h * 0.58), fill=0)
        return mask, []
    if shape == "bowl":
        md.chord((w * 0.14, h * 0.2, w * 0.86, h * 0.82), 0, 180, fill=255)
        md.ellipse((w * 0.14, h * 0.44, w * 0.86, h * 0.58), fill=255)
        return mask, []
    if shape == "box":
        md.rectangle((w * 0.2, h * 0.36, w * 0.8, h * 0.78), fill=255)
        md.rectangle((w * 0.18, h * 0.3, w * 0.82, h * 0.4), fill=255)
        return mask, [(w * 0.2, h * 0.4), (w * 0.8, h * 0.4)]
    # statue-like carving: a rounded column
    md.rounded_rectangle((w * 0.36, h * 0.16, w * 0.64, h * 0.82), radius=w * 0.12, fill=255)
    md.ellipse((w * 0.38, h * 0.06, w * 0.62, h * 0.3), fill=255)
    return mask, []


def anyaman_rotan(size: Size, shape: str, rng: random.Random) -> Image.Image:
    canvas = _backdrop(size, rng)
    mask, _ = _object_mask(size, shape, rng)
    texture = rattan_texture(size, rng)
    out = _place(canvas, texture, mask, rng)
    if shape in ("tray", "basket"):
        w, h = size
        d = ImageDraw.Draw(out)
        rim = (
            (w * 0.12, h * 0.3, w * 0.88, h * 0.78)
            if shape == "tray"
            else (w * 0.22, h * 0.25, w * 0.78, h * 0.35)
        )
        d.ellipse(rim, outline=(110, 74, 40), width=int(w * 0.02))
    return out


def kerajinan_kayu(size: Size, shape: str, rng: random.Random) -> Image.Image:
    canvas = _backdrop(size, rng)
    mask, path = _object_mask(size, shape, rng)
    out = _place(canvas, wood_texture(size, rng), mask, rng)
    d = ImageDraw.Draw(out)
    w, h = size
    if path:
        d.line(path, fill=(60, 36, 20), width=max(2, w // 300))
    if shape == "box":  # a carved panel: a flower of eight leaves in a sunken frame
        carve = (66, 38, 18)
        lw = max(3, w // 220)
        cx, cy = w * 0.5, h * 0.59
        d.rounded_rectangle(
            (w * 0.3, h * 0.46, w * 0.7, h * 0.72), radius=w * 0.02, outline=carve, width=lw
        )
        for k in range(8):
            a = k * math.pi / 4
            px, py = cx + math.cos(a) * w * 0.06, cy + math.sin(a) * w * 0.06
            d.polygon(_ellipse(px, py, w * 0.055, w * 0.022, a), outline=carve, width=lw)
        d.ellipse((cx - w * 0.018, cy - w * 0.018, cx + w * 0.018, cy + w * 0.018), fill=carve)
    return out


def kulit(size: Size, shape: str, rng: random.Random) -> Image.Image:
    canvas = _backdrop(size, rng)
    mask, path = _object_mask(size, shape, rng)
    out = _place(canvas, leather_texture(size, rng), mask, rng)
    d = ImageDraw.Draw(out)
    w, h = size
    thread = rng.choice([(232, 220, 196), (214, 170, 90), (40, 30, 24)])
    _stitch(d, path, thread, w)
    if shape == "wallet":  # the flap and a press stud
        d.line((w * 0.18, h * 0.44, w * 0.82, h * 0.44), fill=(30, 20, 14), width=max(2, w // 400))
        d.ellipse((w * 0.48, h * 0.47, w * 0.52, h * 0.51), fill=(190, 170, 120))
    return out


def lukisan(size: Size, rng: random.Random) -> Image.Image:
    """A framed landscape: a volcano, terraced rice fields, a sky at some hour."""
    w, h = size
    canvas = _backdrop(size, rng, (232, 228, 220))
    fx0, fy0, fx1, fy1 = w * 0.12, h * 0.14, w * 0.88, h * 0.82
    frame = int(w * 0.035)
    pw, ph = int(fx1 - fx0) - 2 * frame, int(fy1 - fy0) - 2 * frame
    sky_top, sky_low = rng.choice(
        [
            ((70, 120, 190), (236, 200, 150)),
            ((40, 60, 120), (240, 150, 90)),
            ((120, 170, 210), (230, 236, 230)),
            ((90, 60, 120), (250, 170, 110)),
        ]
    )
    sky = Image.composite(
        Image.new("RGB", (pw, ph), sky_low),
        Image.new("RGB", (pw, ph), sky_top),
        Image.linear_gradient("L").resize((pw, ph)),
    )
    d = ImageDraw.Draw(sky)
    sx, sy = rng.uniform(0.2, 0.8) * pw, rng.uniform(0.15, 0.35) * ph
    d.ellipse(
        (sx - pw * 0.06, sy - pw * 0.06, sx + pw * 0.06, sy + pw * 0.06), fill=(252, 230, 170)
    )
    peak = rng.uniform(0.35, 0.65) * pw
    d.polygon(
        [
            (peak - pw * 0.5, ph * 0.75),
            (peak - pw * 0.06, ph * 0.3),
            (peak + pw * 0.06, ph * 0.3),
            (peak + pw * 0.55, ph * 0.75),
        ],
        fill=(88, 96, 120),
    )
    d.polygon([(-10, ph * 0.75), (pw * 0.25, ph * 0.5), (pw * 0.55, ph * 0.75)], fill=(70, 90, 100))
    greens = [(70, 130, 60), (96, 150, 70), (124, 170, 80), (60, 110, 50), (150, 180, 90)]
    for k in range(7):
        y = ph * (0.6 + k * 0.07)
        pts = [
            (x, y + math.sin(x / pw * math.tau * 1.3 + k) * ph * 0.02)
            for x in range(-10, pw + 20, 20)
        ]
        d.polygon([*pts, (pw + 10, ph + 10), (-10, ph + 10)], fill=greens[k % len(greens)])
        d.line(pts, fill=(50, 80, 40), width=2)
    for _ in range(rng.randint(2, 4)):  # palm trees
        tx, ty = rng.uniform(0.05, 0.95) * pw, rng.uniform(0.62, 0.8) * ph
        d.line((tx, ty, tx + 6, ty - ph * 0.16), fill=(60, 44, 30), width=5)
        for a in range(0, 360, 45):
            r = math.radians(a)
            d.line(
                (
                    tx + 6,
                    ty - ph * 0.16,
                    tx + 6 + math.cos(r) * 40,
                    ty - ph * 0.16 + math.sin(r) * 22,
                ),
                fill=(40, 80, 40),
                width=6,
            )
    # brush texture
    painted = sky.filter(ImageFilter.ModeFilter(5))
    painted = _multiply(painted, Image.effect_noise((pw, ph), 20).point(lambda v: 215 + v // 6))
    fd = ImageDraw.Draw(canvas)
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).rectangle((fx0 + 14, fy0 + 18, fx1 + 14, fy1 + 18), fill=140)
    shadow = shadow.filter(ImageFilter.GaussianBlur(w / 80))
    canvas = Image.composite(Image.new("RGB", size, (80, 74, 66)), canvas, shadow)
    fd = ImageDraw.Draw(canvas)
    frame_colour = rng.choice([(92, 58, 30), (40, 30, 24), (180, 140, 70)])
    fd.rectangle((fx0, fy0, fx1, fy1), fill=frame_colour)
    fd.rectangle(
        (fx0 + 5, fy0 + 5, fx1 - 5, fy1 - 5),
        outline=_mix(frame_colour, (255, 255, 255), 0.3),
        width=3,
    )
    canvas.paste(painted, (int(fx0) + frame, int(fy0) + frame))
    return canvas


def _smooth(points: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    """Catmull-Rom through the profile points: a turned, not faceted, outline."""
    padded = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        for k in range(steps):
            t = k / steps
            out.append(
                tuple(
                    0.5
                    * (
                        2 * b
                        + (c - a) * t
                        + (2 * a - 5 * b + 4 * c - d) * t * t
                        + (3 * b - a - 3 * c + d) * t**3
                    )
                    for a, b, c, d in zip(p0, p1, p2, p3, strict=True)
                )
            )
    out.append(points[-1])
    return out


def keramik(size: Size, shape: str, rng: random.Random) -> Image.Image:
    """A glazed vase, jar or bowl, turned from a profile curve."""
    w, h = size
    canvas = _backdrop(size, rng)
    glaze, band = rng.choice(
        [
            ((40, 90, 110), (220, 200, 160)),
            ((150, 70, 40), (40, 30, 24)),
            ((200, 190, 170), (50, 80, 130)),
            ((70, 110, 80), (230, 220, 190)),
            ((120, 50, 50), (210, 170, 90)),
        ]
    )
    cx = w / 2
    if shape == "vase":
        profile = [
            (0.0, 0.06),
            (0.08, 0.07),
            (0.16, 0.05),
            (0.3, 0.12),
            (0.55, 0.2),
            (0.8, 0.15),
            (1.0, 0.1),
        ]
        top, height = h * 0.14, h * 0.7
    elif shape == "jar":
        profile = [(0.0, 0.14), (0.1, 0.15), (0.25, 0.25), (0.6, 0.28), (0.9, 0.2), (1.0, 0.16)]
        top, height = h * 0.22, h * 0.6
    else:  # bowl
        profile = [(0.0, 0.36), (0.35, 0.33), (0.75, 0.22), (1.0, 0.12)]
        top, height = h * 0.36, h * 0.42
    left, right = [], []
    for t, r in _smooth(profile):
        left.append((cx - r * w, top + t * height))
        right.append((cx + r * w, top + t * height))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(left + right[::-1], fill=255)
    mask = mask.filter(ImageFilter.SMOOTH_MORE)
    # glaze: lighter on the left (window light), darker on the right
    ramp = bytes(round(255 * (0.55 + 0.45 * math.cos((x / w - 0.38) * 2.6))) for x in range(w))
    light = Image.frombytes("L", (w, 1), ramp).resize((w, h))
    body = _multiply(Image.new("RGB", size, _mix(glaze, (255, 255, 255), 0.15)), light)
    d = ImageDraw.Draw(body)
    by = top + height * (0.45 if shape != "bowl" else 0.3)
    d.rectangle((0, by, w, by + h * 0.035), fill=band)
    d.rectangle((0, by + h * 0.05, w, by + h * 0.058), fill=band)
    out = _place(canvas, body, mask, rng)
    hl = Image.new("L", size, 0)
    ImageDraw.Draw(hl).ellipse(
        (cx - w * 0.14, top + height * 0.2, cx - w * 0.08, top + height * 0.55), fill=120
    )
    hl = ImageChops.multiply(hl.filter(ImageFilter.GaussianBlur(w / 60)), mask)
    out = Image.composite(Image.new("RGB", size, (255, 255, 255)), out, hl)
    ImageDraw.Draw(out).ellipse(
        (left[0][0], top - h * 0.015, right[0][0], top + h * 0.015),
        fill=_mix(glaze, (0, 0, 0), 0.5),
    )
    return out


def detail(image: Image.Image, rng: random.Random) -> Image.Image:
    """A closer view of part of a photo (a second or third picture of a product)."""
    w, h = image.size
    scale = rng.uniform(0.45, 0.6)
    cw, ch = int(w * scale), int(h * scale)
    x0 = rng.randint(int(w * 0.1), w - cw - int(w * 0.1))
    y0 = rng.randint(int(h * 0.15), h - ch - int(h * 0.1))
    return image.crop((x0, y0, x0 + cw, y0 + ch)).resize((w, h), Image.Resampling.BICUBIC)
