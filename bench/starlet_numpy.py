"""Time the starlet transform with numpy and scipy, and print reference sums.

This is the reference for the Go package starlet (BenchmarkStarlet and
TestScipyReferenceSums in starlet/). Run it with Debian's /usr/bin/python3,
python3-numpy and python3-scipy; both variants below run on one thread.

The transform is the first-generation starlet (a trous algorithm): with
c_0 the image and h = [1, 4, 6, 4, 1]/16 dilated by 2^j (2^j - 1 zeros
between taps), c_{j+1} = h_j * c_j along x and then along y, and
w_{j+1} = c_j - c_{j+1}. The planes are w_1 ... w_J and c_J. Boundaries:
"mirror" reflects about the edge samples without repeating them
(scipy.ndimage mode "mirror", numpy.pad mode "reflect"), "periodic" wraps
(scipy.ndimage mode "wrap", numpy.pad mode "wrap").

Two variants are timed on the formula image at n x n:

  convolve1d  scipy.ndimage.convolve1d with the dilated kernel, zeros
              included (4*2^j + 1 taps at scale j).
  slices      numpy.pad by 2*2^j samples, then the five taps as shifted
              slices of the padded array.

Output lines:

  numpy starlet_VARIANT n=N scales=J ms=MEDIAN reps=R
  sumsq boundary=B nx=NX ny=NY scales=J plane=P value=V

where plane P runs from 0 (w_1) to J (c_J) and V is the sum of squares of
that plane for the formula image (see formula_image), printed with 17
significant digits for comparison with the Go transform.

Usage: starlet_numpy.py [--size 1024] [--scales 5] [--reps 5]
"""

import argparse
import statistics
import sys
import time

import numpy as np
from scipy import ndimage

H = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0

SCIPY_MODE = {"mirror": "mirror", "periodic": "wrap"}
PAD_MODE = {"mirror": "reflect", "periodic": "wrap"}

# The maps whose sums of squares are printed: (nx, ny, scales). The first
# is odd by even with the largest number of scales that fits (2^J <=
# min(nx, ny) - 1); the second is the benchmark's.
REFERENCE_MAPS = [(257, 130, 7), (1024, 1024, 5)]


def formula_image(nx, ny):
    """Return the ny x nx map (row y, column x) that starlet's Go tests
    build with the same formula. Both languages get the same bits: integer
    arithmetic, then correctly rounded divisions and additions in the same
    order."""
    y, x = np.mgrid[0:ny, 0:nx].astype(np.int64)
    v = (x * x + 3 * y * y + 7 * x * y + 5 * x) % 1021
    return v / 1021 + x / nx - y / (2 * ny)


def dilated_kernel(d):
    kernel = np.zeros(4 * d + 1)
    kernel[::d] = H
    return kernel


def starlet_convolve1d(image, scales, boundary):
    mode = SCIPY_MODE[boundary]
    c = image
    planes = []
    for j in range(scales):
        kernel = dilated_kernel(2**j)
        smooth = ndimage.convolve1d(c, kernel, axis=1, mode=mode)
        smooth = ndimage.convolve1d(smooth, kernel, axis=0, mode=mode)
        planes.append(c - smooth)
        c = smooth
    planes.append(c)
    return planes


def smooth_axis(c, d, axis, boundary):
    """Apply h dilated by d along one axis by summing shifted slices."""
    widths = [(0, 0), (0, 0)]
    widths[axis] = (2 * d, 2 * d)
    padded = np.pad(c, widths, mode=PAD_MODE[boundary])
    n = c.shape[axis]

    def tap(k):
        start = 2 * d + k * d
        return padded[:, start:start + n] if axis == 1 else padded[start:start + n, :]

    return H[0] * (tap(-2) + tap(2)) + H[1] * (tap(-1) + tap(1)) + H[2] * tap(0)


def starlet_slices(image, scales, boundary):
    c = image
    planes = []
    for j in range(scales):
        smooth = smooth_axis(smooth_axis(c, 2**j, 1, boundary), 2**j, 0, boundary)
        planes.append(c - smooth)
        c = smooth
    planes.append(c)
    return planes


def median_ms(fn, reps):
    """Return the median time of fn in ms over reps runs, after one
    untimed run."""
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024, help="side n of the timed n x n map, in pixels")
    parser.add_argument("--scales", type=int, default=5, help="number of wavelet scales J in the timed transform")
    parser.add_argument("--reps", type=int, default=5, help="timed runs per variant")
    args = parser.parse_args()

    # The two variants must agree before their times or sums mean anything.
    for nx, ny, scales in REFERENCE_MAPS:
        image = formula_image(nx, ny)
        for boundary in ("mirror", "periodic"):
            a = starlet_convolve1d(image, scales, boundary)
            b = starlet_slices(image, scales, boundary)
            for p, (pa, pb) in enumerate(zip(a, b)):
                if not np.allclose(pa, pb, rtol=0, atol=1e-12):
                    sys.exit(f"starlet_numpy: variants disagree on plane {p} ({boundary}, {nx}x{ny}, J={scales})")
            for p, plane in enumerate(a):
                print(f"sumsq boundary={boundary} nx={nx} ny={ny} scales={scales} plane={p} value={np.sum(plane * plane):.17g}", flush=True)

    n, scales = args.size, args.scales
    image = formula_image(n, n)
    for name, fn in (("convolve1d", starlet_convolve1d), ("slices", starlet_slices)):
        ms = median_ms(lambda: fn(image, scales, "mirror"), args.reps)
        print(f"numpy starlet_{name} n={n} scales={scales} ms={ms:.3f} reps={args.reps}", flush=True)


if __name__ == "__main__":
    main()
