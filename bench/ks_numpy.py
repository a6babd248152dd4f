"""Time Kaiser-Squires mass mapping and shear binning with numpy.

These are the references that BENCHMARKS.md compares the Go code with.
Run with Debian's /usr/bin/python3 and python3-numpy; numpy's FFT
(pocketfft) runs on one thread, so OPENBLAS_* and OMP_* settings do not
change these figures.

Each line of output is "numpy NAME n=N ms=MEDIAN reps=R", where NAME is:

  ks_lenspack   the procedure of lenspack's ks93, with four complex
                transforms: the kernel built from fftfreq grids on every
                call, fft2 of g1 and of g2, two ifft2, real parts.
  ks_optimised  one fft2 of g1 + 1j*g2, a product with conj(D) computed
                once outside the timing, one ifft2; kappa_E and kappa_B are
                the real and imaginary parts.
  fwdinv        one fft2 and one ifft2 of a complex array, to compare with
                the plain transform benchmarks.
  bin_cosmos    binning the COSMOS shear catalogue onto a 360x360 plate
                carree grid of 0.29 arcmin pixels (see pixel_coordinates).
                The figure is the faster of np.bincount and np.histogram2d,
                and the line gives both.

Usage: ks_numpy.py [--sizes 360,1024,4096] [--reps 7] [--catalogue PATH]
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

DEFAULT_CATALOGUE = "/work/shared/data/cosmos/cosmos_shear_cat.fits"

# The binning grid: centre in degrees, pixel size in arcminutes, pixels per
# side.
CENTRE_RA_DEG, CENTRE_DEC_DEG = 150.1161025, 2.247490268
PIXEL_ARCMIN = 0.29
GRID_PIXELS = 360


def ks93(g1, g2):
    """Return kappa_E, kappa_B computed the way lenspack's ks93 does."""
    ny, nx = g1.shape
    k1, k2 = np.meshgrid(np.fft.fftfreq(nx), np.fft.fftfreq(ny))
    g1_hat = np.fft.fft2(g1)
    g2_hat = np.fft.fft2(g2)
    p1 = k1 * k1 - k2 * k2
    p2 = 2 * k1 * k2
    k_squared = k1 * k1 + k2 * k2
    k_squared[0, 0] = 1.0
    kappa_e_hat = (p1 * g1_hat + p2 * g2_hat) / k_squared
    kappa_b_hat = -(p2 * g1_hat - p1 * g2_hat) / k_squared
    return np.fft.ifft2(kappa_e_hat).real, np.fft.ifft2(kappa_b_hat).real


def ks_kernel_conj(ny, nx):
    """Return conj(D) with D = (k1^2 - k2^2 + 2i k1 k2) / |k|^2, 0 at k = 0.

    On the Nyquist row and column of an even axis (frequency -1/2), except
    at their crossing, k1 k2 is odd under k -> -k while the rest of D is
    even. ks93 takes the real part of each inverse transform, which cancels
    that term there, so it is set to zero here too and both variants give
    the same maps.
    """
    k1, k2 = np.meshgrid(np.fft.fftfreq(nx), np.fft.fftfreq(ny))
    k_squared = k1 * k1 + k2 * k2
    k_squared[0, 0] = 1.0
    cross = 2 * k1 * k2
    cross[(k1 == -0.5) != (k2 == -0.5)] = 0
    kernel = (k1 * k1 - k2 * k2 - 1j * cross) / k_squared
    kernel[0, 0] = 0
    return kernel


def ks_optimised(g1, g2, kernel_conj):
    """Return kappa_E, kappa_B with one forward and one inverse transform."""
    kappa = np.fft.ifft2(np.fft.fft2(g1 + 1j * g2) * kernel_conj)
    return kappa.real, kappa.imag


def median_ms(fn, reps):
    """Run fn once untimed, then reps times; return the median in ms."""
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def report(name, n, ms, reps, extra=""):
    print(f"numpy {name} n={n} ms={ms:.4f} reps={reps}{extra}", flush=True)


def time_kaiser_squires(sizes, reps):
    rng = np.random.default_rng(1)
    for n in sizes:
        r = reps if n < 4096 else max(1, reps // 3)
        g1 = rng.standard_normal((n, n)) * 0.1
        g2 = rng.standard_normal((n, n)) * 0.1
        kernel_conj = ks_kernel_conj(n, n)

        # Both variants must give the same maps before their times mean
        # anything.
        e1, b1 = ks93(g1, g2)
        e2, b2 = ks_optimised(g1, g2, kernel_conj)
        scale = np.abs(e1).max()
        if not (np.allclose(e1, e2, atol=1e-12 * scale) and np.allclose(b1, b2, atol=1e-12 * scale)):
            sys.exit(f"ks_numpy: the two Kaiser-Squires variants disagree at n={n}")

        report("ks_lenspack", n, median_ms(lambda: ks93(g1, g2), r), r)
        report("ks_optimised", n, median_ms(lambda: ks_optimised(g1, g2, kernel_conj), r), r)
        x = g1 + 1j * g2
        report("fwdinv", n, median_ms(lambda: np.fft.ifft2(np.fft.fft2(x)), r), r)


def read_catalogue(path):
    """Return ra, dec (degrees), e1, e2, weight from the SHEAR table."""
    try:
        from astropy.io import fits
    except ImportError:
        fits = None
    if fits is not None:
        with fits.open(path) as hdul:
            table = hdul["SHEAR"].data
            return [np.asarray(table[c], dtype=np.float64) for c in ("ra", "dec", "e1", "e2", "weight")]
    return read_catalogue_raw(path)


def read_catalogue_raw(path):
    """Read the SHEAR table without astropy: the second HDU, a binary table
    of five big-endian float64 columns (ra, dec, e1, e2, weight)."""
    with open(path, "rb") as f:
        data = f.read()
    block = 2880
    offset = 0
    for hdu in range(2):
        cards = {}
        while True:
            header = data[offset:offset + block]
            offset += block
            done = False
            for i in range(0, block, 80):
                card = header[i:i + 80].decode("ascii")
                key = card[:8].strip()
                if key == "END":
                    done = True
                    break
                if card[8:10] == "= ":
                    cards[key] = card[10:].split("/")[0].strip().strip("'").strip()
            if done:
                break
        if hdu == 0:
            naxis = int(cards.get("NAXIS", 0))
            size = 0
            if naxis > 0:
                size = abs(int(cards["BITPIX"])) // 8
                for k in range(1, naxis + 1):
                    size *= int(cards[f"NAXIS{k}"])
            offset += -(-size // block) * block
    rows, width = int(cards["NAXIS2"]), int(cards["NAXIS1"])
    names = [cards[f"TTYPE{k}"] for k in range(1, int(cards["TFIELDS"]) + 1)]
    if width != 8 * len(names) or any(cards[f"TFORM{k}"] != "D" for k in range(1, len(names) + 1)):
        sys.exit(f"ks_numpy: {path}: expected a table of float64 columns")
    table = np.frombuffer(data, dtype=">f8", count=rows * len(names), offset=offset).reshape(rows, len(names))
    return [table[:, names.index(c)].astype(np.float64) for c in ("ra", "dec", "e1", "e2", "weight")]


def pixel_coordinates(ra, dec):
    """Return continuous pixel coordinates on a plate carree grid, linear in
    RA and Dec like the "radec" grid of the Go shearmap package.

    Pixel centres sit at integers and the grid centre at ((n-1)/2, (n-1)/2).
    x grows towards lower RA (east to the left), y towards higher Dec.
    """
    scale = 60.0 / PIXEL_ARCMIN
    centre = (GRID_PIXELS - 1) / 2
    x = centre - (ra - CENTRE_RA_DEG) * scale
    y = centre + (dec - CENTRE_DEC_DEG) * scale
    return x, y


def bin_bincount(x, y, e1, e2, w):
    """Accumulate count, sum w, sum w e1, sum w e2, sum w^2 per pixel with
    np.bincount on flattened pixel indices."""
    n = GRID_PIXELS
    ix = np.floor(x + 0.5).astype(np.intp)
    iy = np.floor(y + 0.5).astype(np.intp)
    inside = (ix >= 0) & (ix < n) & (iy >= 0) & (iy < n)
    index = iy[inside] * n + ix[inside]
    wi = w[inside]
    maps = [
        np.bincount(index, minlength=n * n),
        np.bincount(index, weights=wi, minlength=n * n),
        np.bincount(index, weights=wi * e1[inside], minlength=n * n),
        np.bincount(index, weights=wi * e2[inside], minlength=n * n),
        np.bincount(index, weights=wi * wi, minlength=n * n),
    ]
    return [m.reshape(n, n) for m in maps]


def bin_histogram2d(x, y, e1, e2, w):
    """Accumulate the same five maps with np.histogram2d."""
    n = GRID_PIXELS
    edges = np.arange(n + 1, dtype=np.float64) - 0.5
    maps = []
    for weights in (None, w, w * e1, w * e2, w * w):
        h, _, _ = np.histogram2d(y, x, bins=(edges, edges), weights=weights)
        maps.append(h)
    return maps


def time_binning(path, reps):
    if not os.path.exists(path):
        print(f"numpy bin_cosmos skipped: catalogue {path} not found", flush=True)
        return
    ra, dec, e1, e2, w = read_catalogue(path)
    x, y = pixel_coordinates(ra, dec)

    # The two methods must fill the same maps (up to summation order).
    for a, b in zip(bin_bincount(x, y, e1, e2, w), bin_histogram2d(x, y, e1, e2, w)):
        if not np.allclose(a, b, rtol=1e-10, atol=1e-10):
            sys.exit("ks_numpy: np.bincount and np.histogram2d binning disagree")

    t_bincount = median_ms(lambda: bin_bincount(x, y, e1, e2, w), reps)
    t_histogram = median_ms(lambda: bin_histogram2d(x, y, e1, e2, w), reps)
    faster = "bincount" if t_bincount <= t_histogram else "histogram2d"
    extra = f" method={faster} bincount_ms={t_bincount:.4f} histogram2d_ms={t_histogram:.4f} galaxies={len(ra)}"
    report("bin_cosmos", GRID_PIXELS, min(t_bincount, t_histogram), reps, extra)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="360,1024,4096", help="grid sizes n (n x n pixels), comma-separated")
    parser.add_argument("--reps", type=int, default=7, help="timed runs per figure (a third of them at n >= 4096)")
    parser.add_argument("--catalogue", default=DEFAULT_CATALOGUE, help="COSMOS shear catalogue (FITS)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    print(f"numpy version={np.__version__}", flush=True)
    time_kaiser_squires(sizes, args.reps)
    time_binning(args.catalogue, args.reps)


if __name__ == "__main__":
    main()
