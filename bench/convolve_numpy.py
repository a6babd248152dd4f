"""PSF convolution of a 1024 x 1024 image with a 20 x 20 PSF in numpy and
scipy, the reference for operators.BenchmarkConvolution:

- zero: scipy.signal.fftconvolve(image, psf, mode="same"), the linear
  convolution cropped to the image, as operators.ZeroPad;
- periodic: numpy's fft2 of the image times the cached transform of the
  PSF wrapped onto the grid, then ifft2, as operators.Periodic.

Run with Debian's numpy and scipy:
/usr/bin/python3 bench/convolve_numpy.py
Prints "numpy convolve_<mode> n=1024 ms=T reps=R" lines.
"""
import time

import numpy as np
from scipy import signal


def median_ms(fn, reps=7):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.median(times))


def main():
    n, k = 1024, 20
    rng = np.random.default_rng(1)
    image = rng.standard_normal((n, n))
    psf = rng.random((k, k)) + 0.1

    ms = median_ms(lambda: signal.fftconvolve(image, psf, mode="same"))
    print(f"numpy convolve_zero n={n} ms={ms:.4f} reps=7")

    kernel = np.zeros((n, n))
    kernel[:k, :k] = psf
    kernel = np.roll(kernel, (-(k // 2), -(k // 2)), axis=(0, 1))
    transfer = np.fft.fft2(kernel)
    ms = median_ms(lambda: np.fft.ifft2(np.fft.fft2(image) * transfer).real)
    print(f"numpy convolve_periodic n={n} ms={ms:.4f} reps=7")


if __name__ == "__main__":
    main()
