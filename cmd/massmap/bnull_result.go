package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/skyinv/skyinv/powerspec"
)

// nullRow is one statistic of the null test: the data's value, its value
// in every simulation and the comparison of the two.
type nullRow struct {
	name string
	data float64
	sims []float64

	// mean and std are the sample mean and standard deviation (divisor
	// N - 1) of sims, z = (data - mean) / std, and p the upper-tail
	// p-value (1 + #{sims >= data}) / (1 + N). All are NaN when data is.
	mean, std, z, p float64
}

// nullResult is the table of the null test, in the order of the output:
// the std statistics, the chi-square of the band powers, the band powers.
type nullResult struct {
	rows []nullRow
	// primary and chi2 index the rows of B_std_footprint and B_chi2_bands.
	primary, chi2 int
	// bandsUsed is the number of bands in the chi-square: those with a
	// finite band power in the data and a positive spread in the null.
	bandsUsed int
}

// compareNull compares the statistics of the data with those of the
// simulations.
func compareNull(data nullStats, sims []nullStats, bins powerspec.Bins) nullResult {
	column := func(k int) []float64 {
		c := make([]float64, len(sims))
		for i, s := range sims {
			c[i] = s[k]
		}
		return c
	}
	var res nullResult
	add := func(name string, data float64, sims []float64) {
		res.rows = append(res.rows, newNullRow(name, data, sims))
	}
	res.primary = len(res.rows)
	add("B_std_footprint", data[statBStdFootprint], column(statBStdFootprint))
	add("B_std_interior", data[statBStdInterior], column(statBStdInterior))

	// The chi-square of the band powers. The null value of simulation j
	// compares it with the other simulations, so that it is distributed as
	// the data's value is under the null.
	nb := bins.Len()
	bands := make([][]float64, nb)
	var used []int
	for b := range nb {
		bands[b] = column(statFirstBand + b)
		d := data[statFirstBand+b]
		if _, std := meanStd(bands[b]); !math.IsNaN(d) && std > 0 {
			used = append(used, b)
		}
	}
	res.bandsUsed = len(used)
	chi2Data := 0.0
	chi2Sims := make([]float64, len(sims))
	for _, b := range used {
		mean, std := meanStd(bands[b])
		z := (data[statFirstBand+b] - mean) / std
		chi2Data += z * z
		for j := range sims {
			mean, std := meanStdWithout(bands[b], j)
			z := (bands[b][j] - mean) / std
			chi2Sims[j] += z * z
		}
	}
	if len(used) == 0 {
		chi2Data = math.NaN()
	}
	res.chi2 = len(res.rows)
	add("B_chi2_bands", chi2Data, chi2Sims)

	for b := range nb {
		name := fmt.Sprintf("B_Cl_ell_%.0f_%.0f", bins.Edges[b], bins.Edges[b+1])
		add(name, data[statFirstBand+b], bands[b])
	}
	add("E_std_footprint", data[statEStdFootprint], column(statEStdFootprint))
	return res
}

func newNullRow(name string, data float64, sims []float64) nullRow {
	r := nullRow{name: name, data: data, sims: sims}
	r.mean, r.std = meanStd(sims)
	r.z, r.p = math.NaN(), math.NaN()
	if math.IsNaN(data) {
		return r
	}
	r.z = (data - r.mean) / r.std
	above := 0
	for _, v := range sims {
		if v >= data {
			above++
		}
	}
	r.p = float64(1+above) / float64(1+len(sims))
	return r
}

// meanStd returns the mean and the sample standard deviation (divisor
// N - 1) of the finite values of v, NaN when there are fewer than two.
func meanStd(v []float64) (mean, std float64) {
	return meanStdWithout(v, -1)
}

// meanStdWithout is meanStd of v without element skip (none for -1).
func meanStdWithout(v []float64, skip int) (mean, std float64) {
	var n float64
	for i, x := range v {
		if i != skip && !math.IsNaN(x) && !math.IsInf(x, 0) {
			mean += x
			n++
		}
	}
	if n < 2 {
		return math.NaN(), math.NaN()
	}
	mean /= n
	var ss float64
	for i, x := range v {
		if i != skip && !math.IsNaN(x) && !math.IsInf(x, 0) {
			ss += (x - mean) * (x - mean)
		}
	}
	return mean, math.Sqrt(ss / (n - 1))
}

// logResult writes the table and the primary comparison to log.
func logResult(log io.Writer, res nullResult) {
	fmt.Fprintf(log, "%-22s %12s %12s %12s %8s %8s\n", "statistic", "data", "null mean", "null std", "z", "p")
	for _, r := range res.rows {
		fmt.Fprintf(log, "%-22s %12.5g %12.5g %12.5g %8.2f %8.4f\n", r.name, r.data, r.mean, r.std, r.z, r.p)
	}
	for _, k := range []int{res.primary, res.chi2} {
		r := res.rows[k]
		fmt.Fprintf(log, "%s: data %.4g, null %.4g ± %.4g, z = %.2f, p = %.4f\n", r.name, r.data, r.mean, r.std, r.z, r.p)
	}
}

// resultText renders the result table of --out: comment lines that record
// the inputs, then one line per statistic.
func resultText(s *nullSetup, res nullResult, command string) []byte {
	var sb strings.Builder
	for _, line := range setupLines(s, command) {
		sb.WriteString("# " + line + "\n")
	}
	fmt.Fprintf(&sb, "# B_chi2_bands sums over the %d bands with a finite data value and a positive null std\n", res.bandsUsed)
	sb.WriteString("# z = (data - null_mean) / null_std, p = (1 + number of simulations >= data) / (1 + simulations)\n")
	sb.WriteString("# columns: statistic data null_mean null_std z p\n")
	for _, r := range res.rows {
		fmt.Fprintf(&sb, "%s %.8g %.8g %.8g %.4f %.6f\n", r.name, r.data, r.mean, r.std, r.z, r.p)
	}
	return []byte(sb.String())
}

// simsText renders the table of --sims-out: one line per simulation with
// its seed and the value of every statistic, in the columns named by the
// header.
func simsText(s *nullSetup, res nullResult, command string) []byte {
	var sb strings.Builder
	for _, line := range setupLines(s, command) {
		sb.WriteString("# " + line + "\n")
	}
	names := []string{"sim", "seed"}
	for _, r := range res.rows {
		names = append(names, r.name)
	}
	sb.WriteString("# columns: " + strings.Join(names, " ") + "\n")
	for i := range s.flags.sims {
		fmt.Fprintf(&sb, "%d %d", i, s.simSeed(i))
		for _, r := range res.rows {
			fmt.Fprintf(&sb, " %.8g", r.sims[i])
		}
		sb.WriteString("\n")
	}
	return []byte(sb.String())
}

// setupLines describe the inputs and settings of the test, for the
// headers of the text outputs.
func setupLines(s *nullSetup, command string) []string {
	b, f, g := s.b, s.flags, s.b.grid
	lines := []string{
		"massmap bnull: B-mode null test calibrated by simulations",
		"command: " + command,
		fmt.Sprintf("catalogue: %s, %d galaxies on the grid", b.cat.Path, b.field.Binned),
		fmt.Sprintf("grid: %d x %d pixels of %g arcmin, %s projection, centre RA %.7f Dec %.7f", g.NX, g.NY, g.PixelArcmin, g.Projection, g.CenterRA, g.CenterDec),
		fmt.Sprintf("inversion: Kaiser-Squires, padding %d pixels; std statistics on maps smoothed by a Gaussian of %g arcmin", f.pad, f.smoothArcmin),
		fmt.Sprintf("noise: sigma from %d rotated-noise realisations, seed %d", f.realisations, f.seed),
		fmt.Sprintf("footprint: %d pixels with galaxies; %d holes (%d pixels) filled for the edge; interior: %d pixels at least %g arcmin from the edge",
			s.nFootprint, s.holes, s.holePixels, s.nInterior, f.edgeArcmin),
		fmt.Sprintf("band powers: %d bands equal in ln(ell) from %.4g to %.4g, unsmoothed KAPPA_B, window the filled footprint with a %g-arcmin cosine taper",
			s.bins.Len(), s.bins.Edges[0], s.bins.Edges[s.bins.Len()], f.apodizeArcmin),
		fmt.Sprintf("null: %d simulations, seeds %d to %d, %s field on %d x %d pixels, its shear plus the catalogue's ellipticities rotated at random",
			f.sims, s.simSeed(0), s.simSeed(f.sims-1), f.field, s.box.NX, s.box.NY),
		scaleLine(s.scale),
	}
	if f.field == "lognormal" {
		lines = append(lines, fmt.Sprintf("lognormal shift: %g", f.shift))
	}
	for _, line := range strings.Split(s.spectrum, "\n") {
		lines = append(lines, "spectrum: "+line)
	}
	return lines
}

// scaleLine describes the signal scale for the headers of the outputs.
func scaleLine(sc signalScale) string {
	if !sc.fitted {
		return fmt.Sprintf("signal scale: %g as given (convergence x %g, C_ell x %.4g)", sc.value, sc.value, sc.value*sc.value)
	}
	return fmt.Sprintf("signal scale: %.4g (C_ell x %.4g), fitted so that the null mean of E_std_footprint is the data's; %.4g to %.4g put the data within one null std",
		sc.value, sc.value*sc.value, sc.lo, sc.hi)
}

// signalScale is the factor by which the simulations multiply their
// convergence, and so their shear.
type signalScale struct {
	value  float64
	fitted bool // fitted to the data's E_std_footprint, not given

	// lo and hi are, for a fitted scale, the scales at which the null mean
	// of E_std_footprint is one null std above and below the data's value.
	lo, hi float64
}

// maxSignalScale bounds the search for the scale: no spectrum that a
// user would give needs its convergence multiplied by a million.
const maxSignalScale = 1e6

// fitScale returns the scale at which the mean of E_std_footprint over the
// simulations equals the data's value target, with the range of scales
// that put target within one null std of the mean. The scale is 0 when
// the noise alone already reaches target.
func fitScale(target float64, sims []simParts) (signalScale, error) {
	eStd := func(a float64) (mean, std float64) {
		v := make([]float64, len(sims))
		for i, p := range sims {
			v[i] = p.eFootprint.std(a)
		}
		return meanStd(v)
	}
	solve := func(f func(a float64) float64) (float64, bool) {
		if f(0) >= target {
			return 0, true
		}
		lo, hi := 0.0, 1.0
		for f(hi) < target {
			if hi > maxSignalScale {
				return math.NaN(), false
			}
			lo, hi = hi, 2*hi
		}
		for range 100 {
			mid := (lo + hi) / 2
			if f(mid) < target {
				lo = mid
			} else {
				hi = mid
			}
		}
		return (lo + hi) / 2, true
	}

	sc := signalScale{fitted: true}
	var ok bool
	if sc.value, ok = solve(func(a float64) float64 { m, _ := eStd(a); return m }); !ok {
		return sc, fmt.Errorf("the simulations' E_std_footprint stays below the data's %.4g for a signal scale up to %g: the spectrum has no power on the scales of the map; give another --ps or --zs", target, maxSignalScale)
	}
	sc.lo, _ = solve(func(a float64) float64 { m, s := eStd(a); return m + s })
	sc.hi, _ = solve(func(a float64) float64 { m, s := eStd(a); return m - s })
	return sc, nil
}

// statsAt returns the statistics of every simulation at signal scale a.
func statsAt(sims []simParts, a float64) []nullStats {
	out := make([]nullStats, len(sims))
	for i, p := range sims {
		out[i] = p.at(a)
	}
	return out
}

// logScale reports the signal scale and, for a fitted one, how the null
// mean of B_std_footprint changes over the scales that fit within one
// null std.
func logScale(log io.Writer, sc signalScale, sims []simParts) {
	if !sc.fitted {
		fmt.Fprintf(log, "signal scale: %g as given (C_ell x %.4g)\n", sc.value, sc.value*sc.value)
		return
	}
	bStd := func(a float64) float64 {
		v := make([]float64, len(sims))
		for i, p := range sims {
			v[i] = p.bFootprint.std(a)
		}
		m, _ := meanStd(v)
		return m
	}
	fmt.Fprintf(log, "signal scale: %.4g (C_ell x %.4g), fitted to the data's E_std_footprint; %.4g to %.4g within one null std\n",
		sc.value, sc.value*sc.value, sc.lo, sc.hi)
	fmt.Fprintf(log, "  null mean of B_std_footprint: %.4g at scale %.4g, %.4g at %.4g, %.4g at %.4g\n",
		bStd(sc.lo), sc.lo, bStd(sc.value), sc.value, bStd(sc.hi), sc.hi)
}
