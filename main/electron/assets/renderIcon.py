#!/usr/bin/env python3
"""Renders icon.png (512x512) from the shapes in renderer/src/assets/icon.svg (the UI's logo) with the
standard library only, so the packaged app's icon can be rebuilt without an SVG toolkit. Run: python3 renderIcon.py"""
import struct
import zlib
from pathlib import Path

SIZE = 512
SCALE = SIZE / 64  # icon.svg's viewBox is 64x64
SAMPLES = 4  # per axis: 16 samples a pixel smooth the rounded corners

# (x, y, width, height, corner radius, RGB) in viewBox units, painted in order, as in icon.svg.
SHAPES = [
    (0, 0, 64, 64, 12, (0x1F, 0x4E, 0x79)),
    (12, 14, 40, 9, 3, (0x9F, 0xD3, 0xFF)),
    (12, 28, 40, 9, 3, (0x5F, 0xB0, 0xF0)),
    (12, 42, 40, 9, 3, (0xFF, 0xFF, 0xFF)),
]


def inside(px, py, shape):
    x, y, w, h, r, _ = shape
    if not (x <= px <= x + w and y <= py <= y + h):
        return False
    cx = min(max(px, x + r), x + w - r)
    cy = min(max(py, y + r), y + h - r)
    return (px - cx) ** 2 + (py - cy) ** 2 <= r * r


def pixel(ix, iy):
    rgb, alpha = [0.0, 0.0, 0.0], 0.0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            px = (ix + (sx + 0.5) / SAMPLES) / SCALE
            py = (iy + (sy + 0.5) / SAMPLES) / SCALE
            top = next((s for s in reversed(SHAPES) if inside(px, py, s)), None)
            if top:
                alpha += 1
                rgb = [c + t for c, t in zip(rgb, top[5])]
    n = SAMPLES * SAMPLES
    if alpha == 0:
        return (0, 0, 0, 0)
    return tuple(round(c / alpha) for c in rgb) + (round(255 * alpha / n),)


def png(width, height, rows):
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b''.join(b'\x00' + bytes(v for p in row for v in p) for row in rows)
    header = struct.pack('>IIBBBBB', width, height, 8, 6, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')


rows = [[pixel(x, y) for x in range(SIZE)] for y in range(SIZE)]
Path(__file__).with_name('icon.png').write_bytes(png(SIZE, SIZE, rows))
