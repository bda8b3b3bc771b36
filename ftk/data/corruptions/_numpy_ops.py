"""The corruptions with loops, textures or warps, in batched NumPy/scipy (run via `tf.numpy_function`).

Each takes float32 `(N, H, W, C)` images in `[0, 1]`, the severity parameter
and a `numpy.random.Generator`; draws have a leading batch axis, so one
image gets the same draws as a batch of one with the same seed.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

_GRAY = np.array([0.299, 0.587, 0.114], np.float32)  # cv2 RGB2GRAY


def _gaussian(x: np.ndarray, sigma: float, mode: str = "nearest", truncate: float = 4.0):
    """skimage `gaussian` over the spatial axes of `(N, H, W[, C])`."""
    sigmas = (0, sigma, sigma) + (0,) * (x.ndim - 3)
    return ndimage.gaussian_filter(x, sigmas, mode=mode, truncate=truncate)


def _zoom_matrix(size: int, zoom: float) -> np.ndarray:
    """`(size, size)` linear map of scipy `clipped_zoom` (centre crop, `zoom(order=1)`, trim)."""
    crop = int(np.ceil(size / zoom))
    top = (size - crop) // 2
    out = int(round(crop * zoom))
    coords = np.arange(out) * ((crop - 1) / (out - 1) if out > 1 else 0.0)  # grid_mode=False
    low = np.clip(np.floor(coords).astype(int), 0, crop - 1)
    high = np.minimum(low + 1, crop - 1)
    frac = coords - low
    matrix = np.zeros((out, size))
    np.add.at(matrix, (np.arange(out), top + low), 1 - frac)
    np.add.at(matrix, (np.arange(out), top + high), frac)
    trim = (out - size) // 2
    return matrix[trim : trim + size].astype(np.float32)


def clipped_zoom(x: np.ndarray, zoom: float) -> np.ndarray:
    """The reference `clipped_zoom` of every image of `(N, H, W, C)`, as two matrix products."""
    n, h, w, c = x.shape
    rows, cols = _zoom_matrix(h, zoom), _zoom_matrix(w, zoom)
    out = np.matmul(rows, x.reshape(n, h, w * c)).reshape(n, h, w, c)
    return np.matmul(cols, out.transpose(0, 2, 1, 3).reshape(n, w, h * c)).reshape(
        n, w, h, c).transpose(0, 2, 1, 3)


def zoom_blur(x: np.ndarray, zooms, rng) -> np.ndarray:
    out = x.copy()
    for zoom in zooms:
        out += clipped_zoom(x, zoom)
    return out / (len(zooms) + 1)


def glass_blur(x: np.ndarray, c, rng) -> np.ndarray:
    """Blur, locally shuffle pixels (the reference's sequential swaps, batched), blur."""
    sigma, delta, iterations = c
    n, h, w, channels = x.shape
    flat = np.uint8(np.clip(_gaussian(x, sigma), 0, 1) * 255).reshape(n, h * w, channels)
    rows, cols = range(h - delta, delta, -1), range(w - delta, delta, -1)
    draws = rng.integers(-delta, delta, size=(iterations, len(rows), len(cols), 2, n))
    batch = np.arange(n)
    for it in range(iterations):
        for i, row in enumerate(rows):
            for j, col in enumerate(cols):
                dx, dy = draws[it, i, j]
                other = (row + dy) * w + col + dx
                here = flat[:, row * w + col].copy()
                flat[:, row * w + col] = flat[batch, other]
                flat[batch, other] = here
    return _gaussian(flat.reshape(n, h, w, channels) / np.float32(255), sigma)


def _motion(x: np.ndarray, radius: float, sigma: float, angles: np.ndarray) -> np.ndarray:
    """ImageMagick's `MotionBlurImage` as re-implemented by `imagecorruptions`: a one-sided
    Gaussian kernel of `2 * radius + 1` taps along `angle` (degrees, per image), edges clamped."""
    n, h, w = x.shape[:3]
    width = int(2 * radius + 1)
    kernel = np.exp(-np.arange(width) ** 2 / (2 * sigma**2))
    kernel /= kernel.sum()
    sin, cos = np.sin(np.deg2rad(angles)), np.cos(np.deg2rad(angles))
    batch, out = np.arange(n)[:, None, None], np.zeros_like(x)
    for i in range(width):
        dy = np.ceil(i * sin - 0.5).astype(int)  # out[y, x] += k_i * in[y + dy, x + dx]
        dx = np.ceil(i * cos - 0.5).astype(int)
        ys = np.clip(np.arange(h)[None] + dy[:, None], 0, h - 1)[:, :, None]
        xs = np.clip(np.arange(w)[None] + dx[:, None], 0, w - 1)[:, None, :]
        out += kernel[i] * x[batch, ys, xs]
    return out


def motion_blur(x: np.ndarray, c, rng) -> np.ndarray:
    return _motion(x, c[0], c[1], rng.uniform(-45, 45, size=len(x)))


def snow(x: np.ndarray, c, rng) -> np.ndarray:
    n, h, w, channels = x.shape
    layer = rng.normal(c[0], c[1], size=(n, h, w, 1)).astype(np.float32)
    layer = clipped_zoom(layer, c[2])
    layer[layer < c[3]] = 0
    layer = np.round(np.clip(layer, 0, 1) * 255) / 255  # the reference saves it as 8-bit PNG
    layer = _motion(layer, c[4], c[5], rng.uniform(-135, -45, size=n))
    gray = x @ _GRAY[:, None] if channels == 3 else x
    x = c[6] * x + (1 - c[6]) * np.maximum(x, gray * 1.5 + 0.5)
    return x + layer + layer[:, ::-1, ::-1]


def plasma_fractal(n: int, mapsize: int, decay: float, rng) -> np.ndarray:
    """The reference diamond-square `plasma_fractal`, for `n` maps at once, in `[0, 1]`."""
    maps = np.zeros((n, mapsize, mapsize))
    step, wibble = mapsize, 100.0

    def wibbled(a):
        return a / 4 + wibble * rng.uniform(-wibble, wibble, a.shape)

    while step >= 2:
        half = step // 2
        corners = maps[:, 0:mapsize:step, 0:mapsize:step]
        square = corners + np.roll(corners, -1, axis=1)
        square += np.roll(square, -1, axis=2)
        maps[:, half:mapsize:step, half:mapsize:step] = wibbled(square)
        centres = maps[:, half:mapsize:step, half:mapsize:step]
        corners = maps[:, 0:mapsize:step, 0:mapsize:step]
        left = centres + np.roll(centres, 1, axis=1) + corners + np.roll(corners, -1, axis=2)
        maps[:, 0:mapsize:step, half:mapsize:step] = wibbled(left)
        top = centres + np.roll(centres, 1, axis=2) + corners + np.roll(corners, -1, axis=1)
        maps[:, half:mapsize:step, 0:mapsize:step] = wibbled(top)
        step //= 2
        wibble /= decay
    maps -= maps.min(axis=(1, 2), keepdims=True)
    return maps / maps.max(axis=(1, 2), keepdims=True)


def fog(x: np.ndarray, c, rng) -> np.ndarray:
    n, h, w = x.shape[:3]
    size = 1 << max(1, math.ceil(math.log2(max(h, w))))
    plasma = plasma_fractal(n, size, c[1], rng)[:, :h, :w, None].astype(np.float32)
    peak = x.max(axis=(1, 2, 3), keepdims=True)
    return (x + c[0] * plasma) * peak / (peak + c[0])


def _upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    """Smoothstep interpolation of `(n, cells, cells)` random values up to `(n, h, w)`."""
    def matrix(size: int, cells: int) -> np.ndarray:
        coords = (np.arange(size) + 0.5) * cells / size - 0.5
        low = np.clip(np.floor(coords).astype(int), 0, cells - 1)
        t = np.clip(coords - low, 0, 1)
        t = t * t * (3 - 2 * t)
        out = np.zeros((size, cells), np.float32)
        out[np.arange(size), low] += 1 - t
        out[np.arange(size), np.minimum(low + 1, cells - 1)] += t
        return out

    rows, cols = matrix(h, grid.shape[1]), matrix(w, grid.shape[2])
    return np.matmul(np.matmul(rows, grid), cols.T)


def frost_texture(n: int, h: int, w: int, rng) -> np.ndarray:
    """Procedural stand-in for the reference's frost photographs: `(n, h, w, 3)` in `[0, 1]`.

    Ridged multi-octave value noise (thin bright crystal veins where smooth
    noise crosses 0.5) over a plasma haze, tinted ice blue (R:G:B = .78:.88:1),
    mean about 0.45 like the photographs.
    """
    ridges = np.zeros((n, h, w, 1), np.float32)
    for octave, amplitude in zip((4, 8, 16), (0.5, 0.3, 0.2)):
        cells = max(2, round(max(h, w) / octave))
        grid = rng.uniform(0, 1, size=(n, cells, cells)).astype(np.float32)
        smooth = _upsample(grid, h, w)
        ridges[..., 0] += amplitude * (1 - np.abs(2 * smooth - 1)) ** 4
    size = 1 << max(1, math.ceil(math.log2(max(h, w))))
    haze = plasma_fractal(n, size, 2.0, rng)[:, :h, :w, None].astype(np.float32)
    texture = np.clip(0.25 * haze + 1.6 * ridges, 0, 1)
    return texture * np.array([0.78, 0.88, 1.0], np.float32)


def frost(x: np.ndarray, c, rng) -> np.ndarray:
    n, h, w, channels = x.shape
    texture = frost_texture(n, h, w, rng)
    texture = texture if channels == 3 else texture @ _GRAY[:, None]
    return c[0] * x + c[1] * texture


def _sample(x: np.ndarray, ys: np.ndarray, xs: np.ndarray, mirror: bool) -> np.ndarray:
    """Bilinear sampling of `(N, H, W, C)` at `(N, H, W)` coordinates; out-of-range coordinates
    reflect: without the edge pixel (`mirror`, cv2 REFLECT_101) or with it (scipy `reflect`)."""
    n, h, w = x.shape[:3]

    def fold(coord, size):
        if size == 1:
            return np.zeros_like(coord)
        if mirror:
            period = 2 * (size - 1)
            coord = np.abs(np.mod(coord, period))
            return np.where(coord > size - 1, period - coord, coord)
        period = 2 * size
        coord = np.mod(coord + 0.5, period)
        return np.clip(np.where(coord > size, period - coord, coord) - 0.5, 0, size - 1)

    ys, xs = fold(ys, h), fold(xs, w)
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, h - 1), np.minimum(x0 + 1, w - 1)
    fy, fx = (ys - y0)[..., None], (xs - x0)[..., None]
    b = np.arange(n)[:, None, None]
    top = x[b, y0, x0] * (1 - fx) + x[b, y0, x1] * fx
    bottom = x[b, y1, x0] * (1 - fx) + x[b, y1, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def elastic_transform(x: np.ndarray, c, rng) -> np.ndarray:
    """Random affine of 3 jittered points (cv2 `warpAffine`, reflect-101), then a smooth
    random displacement field (`map_coordinates(order=1, mode='reflect')`). `c` holds
    `(alpha, sigma, jitter)` already in pixels."""
    alpha, sigma, jitter = c
    n, h, w = x.shape[:3]
    centre, half = np.array([w // 2, h // 2], np.float32), min(h, w) // 3
    src = np.stack([centre + half, [centre[0] + half, centre[1] - half], centre - half])
    dst = src + rng.uniform(-jitter, jitter, size=(n, 3, 2)).astype(np.float32)
    # Solve dst = A @ src + t per image, then sample the source at A^-1 (p - t).
    design = np.concatenate([src, np.ones((3, 1), np.float32)], axis=1)  # (3, 3)
    params = np.linalg.solve(design[None], dst)  # (n, 3, 2): rows A^T, t
    linear, shift = np.transpose(params[:, :2], (0, 2, 1)), params[:, 2]
    inverse = np.linalg.inv(linear)
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    points = np.stack([gx, gy], -1)[None] - shift[:, None, None]  # (n, h, w, 2) as (x, y)
    source = np.einsum("nij,nhwj->nhwi", inverse, points)
    x = _sample(x, source[..., 1], source[..., 0], mirror=True)
    if alpha > 0:
        field = rng.uniform(-1, 1, size=(2, n, h, w))
        dx = _gaussian(field[0], sigma, mode="reflect", truncate=3) * alpha
        dy = _gaussian(field[1], sigma, mode="reflect", truncate=3) * alpha
        x = _sample(x, gy[None] + dy, gx[None] + dx, mirror=False)
    return x


IMPLS = {
    "glass_blur": glass_blur,
    "motion_blur": motion_blur,
    "zoom_blur": zoom_blur,
    "snow": snow,
    "frost": frost,
    "fog": fog,
    "elastic_transform": elastic_transform,
}
