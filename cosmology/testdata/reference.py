"""Reference values for the cosmology package tests, computed apart from it.

Run with Debian's python3 and its numpy, scipy and astropy packages
(python3-astropy 5.2.1, python3-scipy 1.10.1 on Debian 12 were used):

    /usr/bin/python3 cosmology/testdata/reference.py

It prints the values that reference_test.go holds. The comoving distance
comes from astropy's FlatLambdaCDM. The transfer function, the σ8
normalisation, Halofit and the Limber integral are written out again here
from the papers. They use other numerical methods than the Go code:
adaptive scipy quadrature for every integral, Brent's root finder for the
nonlinear scale, finite differences of ln σ² for n_eff and C, and a cubic
spline in redshift for the Limber integral. Agreement therefore checks the Go
numerics (quadrature, root finding, derivatives, Limber nodes), but not a
misreading of a coefficient that both codes could share.
"""

import numpy as np
from astropy.cosmology import FlatLambdaCDM
from scipy import integrate, optimize

# Planck 2018 TT,TE,EE+lowE+lensing+BAO (A&A 641, A6, Table 2), massless
# neutrinos, no radiation in H(z).
H = 0.6766
OMC = 0.11933 / H**2
OMB = 0.02242 / H**2
OM = OMC + OMB
OL = 1 - OM
NS = 0.9665
SIGMA8 = 0.8102
TCMB = 2.7255
C_OVER_H0 = 2997.92458  # Mpc/h


def hubble(z):
    return np.sqrt(OM * (1 + z) ** 3 + OL)


def growth(z):
    """Linear growth from the growth ODE in ln a, normalised at z = 0."""

    def rhs(lna, y):
        a = np.exp(lna)
        e2 = OM / a**3 + OL
        dlne = -1.5 * OM / a**3 / e2
        om_a = OM / a**3 / e2
        d, dp = y
        return [dp, -(2 + dlne) * dp + 1.5 * om_a * d]

    a0 = 1e-5
    sol = integrate.solve_ivp(rhs, [np.log(a0), 0], [a0, a0], rtol=1e-12,
                              atol=1e-16, dense_output=True)
    d1 = sol.sol(0.0)[0]
    return sol.sol(np.log(1 / (1 + z)))[0] / d1


# Eisenstein & Hu 1998 (ApJ 496, 605), full fit, k in 1/Mpc.
OMH2, OBH2 = OM * H**2, OMB * H**2
TH = TCMB / 2.7
ZEQ = 2.50e4 * OMH2 * TH**-4
KEQ = 7.46e-2 * OMH2 * TH**-2
_b1 = 0.313 * OMH2**-0.419 * (1 + 0.607 * OMH2**0.674)
_b2 = 0.238 * OMH2**0.223
ZD = 1291 * OMH2**0.251 / (1 + 0.659 * OMH2**0.828) * (1 + _b1 * OBH2**_b2)
RD = 31.5 * OBH2 * TH**-4 * 1e3 / ZD
REQ = 31.5 * OBH2 * TH**-4 * 1e3 / ZEQ
S = (2 / (3 * KEQ) * np.sqrt(6 / REQ)
     * np.log((np.sqrt(1 + RD) + np.sqrt(RD + REQ)) / (1 + np.sqrt(REQ))))
KSILK = 1.6 * OBH2**0.52 * OMH2**0.73 * (1 + (10.4 * OMH2) ** -0.95)
FB, FC = OMB / OM, OMC / OM
ALPHA_C = ((46.9 * OMH2) ** 0.670 * (1 + (32.1 * OMH2) ** -0.532)) ** -FB * (
    (12.0 * OMH2) ** 0.424 * (1 + (45.0 * OMH2) ** -0.582)) ** -(FB**3)
_bc1 = 0.944 / (1 + (458 * OMH2) ** -0.708)
_bc2 = (0.395 * OMH2) ** -0.0266
BETA_C = 1 / (1 + _bc1 * (FC**_bc2 - 1))
_y = (1 + ZEQ) / (1 + ZD)
_g = _y * (-6 * np.sqrt(1 + _y) + (2 + 3 * _y)
           * np.log((np.sqrt(1 + _y) + 1) / (np.sqrt(1 + _y) - 1)))
ALPHA_B = 2.07 * KEQ * S * (1 + RD) ** -0.75 * _g
BETA_B = 0.5 + FB + (3 - 2 * FB) * np.sqrt((17.2 * OMH2) ** 2 + 1)
BETA_NODE = 8.41 * OMH2**0.435


def t0(k, ac, bc):
    q = k / (13.41 * KEQ)
    lg = np.log(np.e + 1.8 * bc * q)
    return lg / (lg + (14.2 / ac + 386 / (1 + 69.9 * q**1.08)) * q**2)


def transfer(kh):
    k = kh * H
    ks = k * S
    f = 1 / (1 + (ks / 5.4) ** 4)
    tc = f * t0(k, 1, BETA_C) + (1 - f) * t0(k, ALPHA_C, BETA_C)
    st = S / (1 + (BETA_NODE / ks) ** 3) ** (1 / 3)
    tb = (t0(k, 1, 1) / (1 + (ks / 5.2) ** 2)
          + ALPHA_B / (1 + (BETA_B / ks) ** 3) * np.exp(-((k / KSILK) ** 1.4)))
    tb = tb * np.sinc(k * st / np.pi)
    return FB * tb + FC * tc


def tophat(x):
    return 3 * (np.sin(x) - x * np.cos(x)) / x**3


def sigma2_tophat_unnormalised(r):
    f = lambda lnk: (np.exp(lnk) ** (3 + NS) * transfer(np.exp(lnk)) ** 2
                     * tophat(np.exp(lnk) * r) ** 2 / (2 * np.pi**2))
    pts = np.log(np.linspace(0.01, 10, 60) / r)
    val, _ = integrate.quad(f, np.log(1e-6), np.log(1e3 / r), points=pts,
                            limit=2000, epsabs=0, epsrel=1e-12)
    return val


AMP = SIGMA8**2 / sigma2_tophat_unnormalised(8.0)


def plin(kh, z):
    return AMP * kh**NS * transfer(kh) ** 2 * growth(z) ** 2


def sigma2_gauss(r, d):
    f = lambda lnk: (d**2 * AMP * np.exp(lnk) ** (3 + NS) * transfer(np.exp(lnk)) ** 2
                     / (2 * np.pi**2) * np.exp(-(np.exp(lnk) * r) ** 2))
    val, _ = integrate.quad(f, np.log(1e-7), np.log(8 / r), limit=1000,
                            epsabs=0, epsrel=1e-12)
    return val


def halofit_scale(z):
    d = growth(z)
    lnr = optimize.brentq(lambda t: np.log(sigma2_gauss(np.exp(t), d)),
                          np.log(1e-4), np.log(1e2), xtol=1e-13)
    h = 1e-3
    g = [np.log(sigma2_gauss(np.exp(lnr + j * h), d)) for j in (-2, -1, 0, 1, 2)]
    d1 = (g[0] - 8 * g[1] + 8 * g[3] - g[4]) / (12 * h)
    d2 = (-g[0] + 16 * g[1] - 30 * g[2] + 16 * g[3] - g[4]) / (12 * h * h)
    return np.exp(-lnr), -3 - d1, -d2, d


def pnl(kh, z, scale=None):
    ksig, n, c, d = scale if scale is not None else halofit_scale(z)
    om_z = OM * (1 + z) ** 3 / hubble(z) ** 2
    an = 10 ** (1.5222 + 2.8553 * n + 2.3706 * n**2 + 0.9903 * n**3
                + 0.2250 * n**4 - 0.6038 * c)
    bn = 10 ** (-0.5642 + 0.5864 * n + 0.5716 * n**2 - 1.5474 * c)
    cn = 10 ** (0.3698 + 2.0404 * n + 0.8161 * n**2 + 0.5869 * c)
    gam = 0.1971 - 0.0843 * n + 0.8460 * c
    alp = abs(6.0835 + 1.3373 * n - 0.1959 * n**2 - 5.5274 * c)
    bet = (2.0379 - 0.7354 * n + 0.3157 * n**2 + 1.2490 * n**3
           + 0.3980 * n**4 - 0.1682 * c)
    nu = 10 ** (5.2105 + 3.6902 * n)
    f1, f2, f3 = om_z**-0.0307, om_z**-0.0585, om_z**0.0743
    dl = kh**3 * AMP * kh**NS * transfer(kh) ** 2 * d**2 / (2 * np.pi**2)
    y = kh / ksig
    dq = dl * (1 + dl) ** bet / (1 + alp * dl) * np.exp(-y / 4 - y**2 / 8)
    dh = an * y ** (3 * f1) / (1 + bn * y**f2 + (cn * f3 * y) ** (3 - gam))
    dh = dh / (1 + nu / y**2)
    return (dq + dh) * 2 * np.pi**2 / kh**3


def chi(z):
    val, _ = integrate.quad(lambda x: 1 / hubble(x), 0, z, epsabs=0, epsrel=1e-13)
    return C_OVER_H0 * val


def limber(ells, zs, nz=400):
    """C_ell for one source redshift: scipy quad in z of a cubic spline of
    the Halofit scale parameters, which vary smoothly with z."""
    from scipy.interpolate import CubicSpline

    zg = np.linspace(1e-4, zs, nz)
    scales = np.array([halofit_scale(z) for z in zg])
    splines = [CubicSpline(zg, scales[:, j]) for j in range(4)]
    chis = chi(zs)
    out = []
    for ell in ells:
        def f(z):
            x = chi(z)
            sc = tuple(s(z) for s in splines)
            q_over_chi = 1.5 * OM / C_OVER_H0**2 * (1 + z) * (chis - x) / chis
            return C_OVER_H0 / hubble(z) * q_over_chi**2 * pnl((ell + 0.5) / x, z, sc)
        val, _ = integrate.quad(f, 1e-4, zs, limit=400, epsabs=0, epsrel=1e-8)
        out.append(val)
    return out


def main():
    astro = FlatLambdaCDM(H0=100 * H, Om0=OM, Tcmb0=0)
    for z in (0.5, 1.0, 3.0):
        print(f"astropy chi({z}) = {astro.comoving_distance(z).value:.10f} Mpc")
    print(f"growth D(1) = {growth(1.0):.10f}, D(3) = {growth(3.0):.10f}")
    print(f"sigma8 check = {np.sqrt(AMP * sigma2_tophat_unnormalised(8.0)):.12f}")
    for kh in (0.01, 0.1, 1.0):
        print(f"plin({kh}, 0) = {plin(kh, 0):.10e}")
    for z in (0.0, 1.0):
        ksig, n, c, _ = halofit_scale(z)
        print(f"z={z}: k_sigma = {ksig:.10f}, n_eff = {n:.10f}, C = {c:.10f}")
        for kh in (0.1, 1.0, 10.0):
            print(f"pnl({kh}, {z}) = {pnl(kh, z):.10e}")
    for ell, cl in zip((100, 1000, 10000), limber((100, 1000, 10000), 1.0)):
        print(f"C_ell({ell}, z_s=1) = {cl:.10e}")


if __name__ == "__main__":
    main()
