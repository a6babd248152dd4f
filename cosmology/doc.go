// Package cosmology computes the theory angular power spectrum C_ℓ of the
// weak-lensing convergence for a flat ΛCDM cosmology. It provides the
// background expansion, the linear matter power spectrum of Eisenstein & Hu
// normalised to σ8, the nonlinear power of Halofit, and the Limber
// projection for one source redshift or a tabulated n(z). Its main use is the Gaussian prior
// of Wiener filtering and posterior sampling, so that no C_ℓ table is
// needed by default; Table reads and interpolates such a table when one is
// given.
//
//	cl, err := cosmology.ConvergenceCl(cosmology.Planck2018(), cosmology.SingleSource(1), ells)
//
// computes one spectrum; New builds a Model once for several.
//
// # Units
//
// Wavenumbers k are in h/Mpc and power spectra P(k) in (Mpc/h)³.
// Comoving distances are in Mpc/h (ComovingDistanceMpcH), the unit of the
// Limber integral, and in Mpc through ComovingDistanceMpc. Redshift z and
// the growth factor D(z) are dimensionless; C_ℓ is dimensionless, the
// convergence being a dimensionless field, with the flat-sky convention
// ⟨κ̃(ℓ) κ̃*(ℓ′)⟩ = (2π)² δ_D(ℓ − ℓ′) C_ℓ.
//
// # Model
//
// The universe is flat with a cosmological constant (w = −1),
// Ω_Λ = 1 − Ω_m, and E(z) = H(z)/H0 = √(Ω_m (1+z)³ + Ω_Λ). Radiation is
// left out of E(z): with Ω_r h² ≈ 4.2e-5 (photons at 2.7255 K and three
// massless neutrinos) it would change E by about 0.1 % at z = 5, and
// less below. Neutrinos are massless: Planck2018 has Ω_m = Ω_c + Ω_b =
// 0.30964, where the Planck fit with one 0.06 eV neutrino quotes 0.3111.
// T_CMB enters only through the transfer function.
//
// The linear power is
//
//	P_lin(k, z) = A kⁿˢ T²(k) D²(z),
//
// with T the Eisenstein & Hu (1998) fitting formula with baryon
// oscillations (eqs. 2–24) or without them (eqs. 26–31), D the linear
// growth factor normalised to D(0) = 1, and A chosen so that the
// top-hat variance in 8 Mpc/h spheres at z = 0 is σ8²:
//
//	σ²(R) = ∫ dln k k³P_lin(k, 0)/(2π²) W²(kR),   W(x) = 3 (sin x − x cos x)/x³.
//
// The nonlinear power is Halofit (Smith et al. 2003) with the revised
// coefficients of Takahashi et al. (2012), which they calibrated on
// simulations for k ≤ 30 h/Mpc and 0 ≤ z ≤ 10 and quote as accurate to
// 5 % for k ≤ 1 h/Mpc and 10 % for 1 ≤ k ≤ 10 h/Mpc at z ≤ 3. Beyond that
// range the formula is extrapolated. Baryonic feedback is not modelled.
//
// # Lensing
//
// ConvergenceCl projects the nonlinear power with the flat-sky Limber
// approximation at k = (ℓ + 1/2)/χ:
//
//	C_ℓ = ∫ dχ q²(χ)/χ² P_nl((ℓ + 1/2)/χ, z(χ)),
//	q(χ) = (3/2) Ω_m (H0/c)² χ/a ∫_χ dχ′ n(χ′) (χ′ − χ)/χ′.
//
// The spectrum is that of the convergence itself. The reduced shear
// γ/(1 − κ), magnification bias, source clustering and intrinsic alignments
// are not included, and the Limber approximation is poor below ℓ ≈ 10.
//
// # Tables
//
// Table holds a tabulated C_ℓ, for example one read by ReadTable from a
// two-column text file. Table.At interpolates linearly in (ln ℓ, ln C_ℓ),
// returns 0 at ℓ = 0 (the mean convergence is not constrained by shear),
// holds the first C_ℓ below the first row and extends the last two rows as
// a power law above the last.
//
// # References
//
//   - Eisenstein D. J., Hu W., 1998, ApJ 496, 605: the transfer
//     functions, Sect. 3 eqs. 2–24 and Sect. 4.2 eqs. 26–31.
//   - Heath D. J., 1977, MNRAS 179, 351: the integral form of the linear
//     growth factor with a cosmological constant.
//   - Smith R. E. et al., 2003, MNRAS 341, 1311, Appendix C: Halofit, its
//     nonlinear scale k_σ, n_eff and C, and the Ω_m(z) powers f1, f2, f3.
//   - Takahashi R. et al., 2012, ApJ 761, 152, Appendix, eqs. A1–A13: the
//     revised Halofit coefficients.
//   - Limber D. N., 1953, ApJ 117, 134; Kaiser N., 1992, ApJ 388, 272: the
//     projection of the three-dimensional power onto the sky.
//   - LoVerde M., Afshordi N., 2008, Phys. Rev. D 78, 123506: k = (ℓ + 1/2)/χ.
//   - Planck Collaboration, 2020, A&A 641, A6, Table 2: the Planck2018
//     parameters.
//
// The file testdata/reference.py recomputes the distances with astropy and
// the other test reference values with scipy; testdata/plotcl draws the
// comparison with the kappaTNG theory table, testdata/cl_vs_ktng.png.
package cosmology
