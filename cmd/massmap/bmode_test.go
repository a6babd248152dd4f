package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/skyinv/skyinv/internal/shareddata"
)

// TestCOSMOSShearConvention is a B-mode test on the real COSMOS catalogue.
// Lensing makes E modes only, so with the right sign convention the
// Kaiser-Squires E map holds the signal and the B map is close to noise.
// The test maps the catalogue as it is and with --flip-e2, smoothed by 2
// arcmin, and divides each map by its shape-noise standard deviation from
// 64 rotated-noise realisations. With --flip-e2 the B map is closer to
// noise and the E map holds more signal, so the catalogue's e2 has the
// opposite sign to the toolkit's convention (README, Conventions). The B
// map keeps an excess over pure noise, which E-to-B leakage through the
// mask can explain; the bound on it is loose.
func TestCOSMOSShearConvention(t *testing.T) {
	cat := shareddata.Path(t, "cosmos/cosmos_shear_cat.fits")
	dir := t.TempDir()
	ratios := func(flip bool) (sE, sB, mB float64) {
		out := filepath.Join(dir, "k.fits")
		args := []string{"ks", "--catalog", cat, "--npix", "360", "--pixel-arcmin", "0.29", "--projection", "radec",
			"--center", "150.1161025,2.247490268", "--smooth-arcmin", "2", "--noise-realisations", "64", "--seed", "3",
			"--out", out, "--force"}
		if flip {
			args = append(args, "--flip-e2")
		}
		code, _, stderr := runMassmap(t, args...)
		if code != 0 {
			t.Fatalf("exit code %d:\n%s", code, stderr)
		}
		std, ngal := readHDU(t, out, "KAPPA_STD"), readHDU(t, out, "NGAL")
		moments := func(m []float64) (mean, sd float64) {
			var s, ss, n float64
			for i, v := range m {
				if ngal.Data[i] > 0 {
					r := v / std.Data[i]
					s += r
					ss += r * r
					n++
				}
			}
			mean = s / n
			return mean, math.Sqrt(ss/n - mean*mean)
		}
		_, sE = moments(readHDU(t, out, "KAPPA_E").Data)
		mB, sB = moments(readHDU(t, out, "KAPPA_B").Data)
		return sE, sB, mB
	}
	sE, sB, _ := ratios(false)
	fE, fB, fmB := ratios(true)
	t.Logf("std of map/σ inside the footprint: as read E %.3f, B %.3f; with --flip-e2 E %.3f, B %.3f (B mean %.3f)", sE, sB, fE, fB, fmB)
	if !(fB < sB-0.08 && fE > sE) {
		t.Errorf("--flip-e2 does not move the power from B to E (E %.3f → %.3f, B %.3f → %.3f): the catalogue's e2 convention has changed?", sE, fE, sB, fB)
	}
	if math.Abs(fmB) > 0.1 || fB > 1.25 {
		t.Errorf("with --flip-e2, B/σ has mean %.3f and std %.3f, want |mean| ≤ 0.1 and std ≤ 1.25", fmB, fB)
	}
}
