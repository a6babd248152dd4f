"""One messenger-field Wiener iteration in numpy, as the reference for
solvers.BenchmarkMessengerStep: the same grid, prior, mask fraction and
steps (model shear, pixel step, Fourier step with the E-mode projection).

Run with Debian's numpy: /usr/bin/python3 bench/wiener_numpy.py [N ...]
Prints one line per size: "numpy messenger_step n=N ms=T reps=R".
"""
import sys
import time

import numpy as np


def setup(n, seed=1):
    rng = np.random.default_rng(seed)
    f = np.fft.fftfreq(n)
    kx, ky = np.meshgrid(f, f)
    k2 = kx**2 + ky**2
    k2[0, 0] = 1.0
    d = ((kx**2 - ky**2) + 2j * kx * ky) / k2
    d[0, 0] = 0.0
    power = n * n * 1e-4 * np.sqrt(k2) ** -1.5
    power[0, 0] = 0.0
    noise = 0.01 * (1 + rng.random((n, n)))
    noise[rng.random((n, n)) < 0.3] = np.inf
    gamma = 0.1 * (rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n)))
    tau = noise[np.isfinite(noise)].min()
    nbar = noise - tau
    return d, power, nbar, tau, gamma


def step(khat, d, power, nbar, tau, gamma, lam=1.0):
    model = np.fft.ifft2(np.conj(d) * khat)
    lt = lam * tau
    observed = np.isfinite(nbar)
    w = np.where(observed, lt / (lt + np.where(observed, nbar, 0.0)), 0.0)
    t = w * gamma + (1 - w) * model
    x = d * np.fft.fft2(t)
    # The transform of the real part: (X(k) + conj(X(-k))) / 2.
    xneg = np.conj(np.roll(x[::-1, ::-1], 1, axis=(0, 1)))
    n = khat.size
    return power / (power + lt * n) * (x + xneg) / 2


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [360, 1024]
    for n in sizes:
        d, power, nbar, tau, gamma = setup(n)
        khat = np.zeros((n, n), complex)
        khat = step(khat, d, power, nbar, tau, gamma)
        reps = 7
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            khat = step(khat, d, power, nbar, tau, gamma)
            times.append(time.perf_counter() - t0)
        print(f"numpy messenger_step n={n} ms={1000 * np.median(times):.4f} reps={reps}")


if __name__ == "__main__":
    main()
