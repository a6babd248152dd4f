package main

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/internal/shareddata"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/simulate"
	"github.com/skyinv/skyinv/skymap"
)

// nullTableRow is one line of the result table of massmap bnull.
type nullTableRow struct {
	data, mean, std, z, p float64
}

// readNullTable parses the result table of massmap bnull: the rows by
// statistic name, and the comment lines.
func readNullTable(t *testing.T, path string) (map[string]nullTableRow, []string) {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]nullTableRow{}
	var comments []string
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if strings.HasPrefix(line, "#") {
			comments = append(comments, line)
			continue
		}
		f := strings.Fields(line)
		if len(f) != 6 {
			t.Fatalf("%s: line %q has %d fields, want 6", path, line, len(f))
		}
		rows[f[0]] = nullTableRow{parseFloat(t, f[1]), parseFloat(t, f[2]), parseFloat(t, f[3]), parseFloat(t, f[4]), parseFloat(t, f[5])}
	}
	return rows, comments
}

// runBnullTable runs massmap bnull with args and --out in dir, fails the
// test on a non-zero exit code, and returns the parsed table and stderr.
func runBnullTable(t *testing.T, dir, name string, args ...string) (map[string]nullTableRow, []string, string) {
	t.Helper()
	out := filepath.Join(dir, name+".txt")
	code, _, stderr := runMassmap(t, append([]string{"bnull", "--out", out}, args...)...)
	if code != 0 {
		t.Fatalf("bnull %s: exit code %d:\n%s", name, code, stderr)
	}
	rows, comments := readNullTable(t, out)
	return rows, comments, stderr
}

// fittedScale returns the signal scale that the table's header records.
func fittedScale(t *testing.T, comments []string) float64 {
	t.Helper()
	for _, c := range comments {
		if rest, ok := strings.CutPrefix(c, "# signal scale: "); ok {
			return parseFloat(t, strings.Fields(rest)[0])
		}
	}
	t.Fatalf("no signal scale in the table header:\n%s", strings.Join(comments, "\n"))
	return 0
}

// clTable writes the power-law C_ell table of writePowerLawTable, close
// to the convergence spectrum of sources at z = 1, into dir.
func clTable(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "cl.txt")
	writePowerLawTable(t, path)
	return path
}

// maskedMock writes a mock catalogue with a pure E-mode signal: positions
// uniform over a 64 x 64 grid of 1-arcmin pixels centred on (150, 2), less
// a disc of 6 arcmin radius (a hole) and a triangle at one corner (an
// irregular edge), with the shear of a Gaussian field of the C_ell at cl,
// drawn on a grid twice as wide, and Gaussian shape noise. massmap simulate
// makes the catalogue from those positions, as a user would.
func maskedMock(t *testing.T, dir, cl string) string {
	t.Helper()
	g, err := skymap.NewGrid(64, 64, 1, skymap.Gnomonic, 150, 2)
	if err != nil {
		t.Fatal(err)
	}
	uniform, err := simulate.MockCatalog(g, make([]float64, g.Len()), simulate.MockOptions{DensityArcmin2: 15, SigmaE: 0.26, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	masked := &simulate.Catalog{}
	for i := range uniform.RA {
		x, y, _ := g.ToPixel(uniform.RA[i], uniform.Dec[i])
		if math.Hypot(x-40, y-24) < 6 || x+y < 20 {
			continue
		}
		masked.RA = append(masked.RA, uniform.RA[i])
		masked.Dec = append(masked.Dec, uniform.Dec[i])
		masked.E1 = append(masked.E1, uniform.E1[i])
		masked.E2 = append(masked.E2, uniform.E2[i])
		masked.Weight = append(masked.Weight, uniform.Weight[i])
	}
	positions := filepath.Join(dir, "positions.fits")
	if err := masked.WriteFITS(positions, false); err != nil {
		t.Fatal(err)
	}
	mock := filepath.Join(dir, "mock.fits")
	code, _, stderr := runMassmap(t, "simulate", "--catalog", positions, "--npix", "128", "--pixel-arcmin", "1", "--center", "150,2",
		"--ps", cl, "--seed", "11", "--sigma-e", "0.26", "--catalog-out", mock, "--out", filepath.Join(dir, "kappa.fits"))
	if code != 0 {
		t.Fatalf("simulate: exit code %d:\n%s", code, stderr)
	}
	return mock
}

// A mock catalogue with a pure E-mode signal, holes and an irregular edge
// must pass the null test, and the same catalogue with every ellipticity
// rotated by 45 degrees, which turns E modes into B modes, must fail it.
// The rotation e -> i e is (e1, e2) -> (-e2, e1), read through the column
// flags.
func TestBnullMockPassesAndRotatedFails(t *testing.T) {
	const (
		maxNullZ    = 3   // |z| of a B statistic of a catalogue drawn from the null
		minRotatedZ = 5   // z of the rotated catalogue's B statistics
		minScale    = 0.6 // the fitted signal scale of a catalogue drawn with scale 1
		maxScale    = 1.6
		sims        = 40
	)
	dir := t.TempDir()
	cl := clTable(t, dir)
	mock := maskedMock(t, dir, cl)
	common := []string{"--catalog", mock, "--npix", "64", "--pixel-arcmin", "1", "--center", "150,2", "--ps", cl,
		"--sims", itoa(sims), "--noise-realisations", "32", "--edge-arcmin", "4", "--seed", "2"}

	rows, comments, stderr := runBnullTable(t, dir, "mock", common...)
	for _, name := range []string{"B_std_footprint", "B_std_interior", "B_chi2_bands"} {
		if z := rows[name].z; !(math.Abs(z) < maxNullZ) {
			t.Errorf("pure E-mode mock: %s has z = %.2f, want |z| < %d:\n%s", name, z, maxNullZ, stderr)
		}
	}
	if a := fittedScale(t, comments); a < minScale || a > maxScale {
		t.Errorf("pure E-mode mock drawn with the spectrum of --ps: fitted signal scale %.3f, want %g to %g", a, minScale, maxScale)
	}
	if e := rows["E_std_footprint"]; math.Abs(e.data-e.mean) > 1e-6*e.data {
		t.Errorf("E_std_footprint: data %.6g, null mean %.6g; the fitted scale should make them equal", e.data, e.mean)
	}
	t.Logf("pure E, signal scale %.3f: B_std_footprint %.3f vs %.3f ± %.3f (z %.2f), B_chi2_bands %.2f vs %.2f ± %.2f (z %.2f)",
		fittedScale(t, comments), rows["B_std_footprint"].data, rows["B_std_footprint"].mean, rows["B_std_footprint"].std, rows["B_std_footprint"].z,
		rows["B_chi2_bands"].data, rows["B_chi2_bands"].mean, rows["B_chi2_bands"].std, rows["B_chi2_bands"].z)

	rotated, _, stderr := runBnullTable(t, dir, "rotated", append(common, "--e1-col", "e2", "--e2-col", "e1", "--flip-e1")...)
	minP := 1.0 / (sims + 1)
	for _, name := range []string{"B_std_footprint", "B_std_interior", "B_chi2_bands"} {
		r := rotated[name]
		if !(r.z > minRotatedZ) || math.Abs(r.p-minP) > 1e-6 {
			t.Errorf("mock rotated by 45 degrees: %s has z = %.2f and p = %.4f, want z > %d and p = 1/(sims + 1) = %.4f:\n%s", name, r.z, r.p, minRotatedZ, minP, stderr)
		}
	}
	t.Logf("rotated: B_std_footprint z %.1f, B_chi2_bands z %.1f", rotated["B_std_footprint"].z, rotated["B_chi2_bands"].z)
}

// The B-mode null test on the real COSMOS catalogue, on the grid of the
// published maps with the kappaTNG theory spectrum. With --flip-e2, the sign
// convention that TestCOSMOSShearConvention establishes, the B statistics
// must be consistent with noise plus the leakage of E modes through the
// mask; as read, the catalogue puts part of its E-mode signal into B and
// the band powers of B must fail the test. Measured with --sims 200: with
// --flip-e2 B_std_footprint has z = 1.1 and B_chi2_bands z = 0.2; as read,
// B_chi2_bands has z = 9.3 and no simulation reaches it.
func TestCOSMOSBModeNullTest(t *testing.T) {
	const (
		maxNullZ   = 3 // |z| of the B statistics with --flip-e2
		minAsReadZ = 5 // z of B_chi2_bands as read
		sims       = 40
		ksBStd     = 1.17 // std of B/σ that massmap ks gives in TestCOSMOSShearConvention
	)
	cat := shareddata.Path(t, "cosmos/cosmos_shear_cat.fits")
	cl := shareddata.Path(t, "ktng/ps_theory.txt")
	dir := t.TempDir()
	common := []string{"--catalog", cat, "--npix", "360", "--pixel-arcmin", "0.29", "--projection", "radec",
		"--center", "150.1161025,2.247490268", "--ps", cl, "--sims", itoa(sims)}

	flipped, comments, stderr := runBnullTable(t, dir, "flip", append(common, "--flip-e2")...)
	for _, name := range []string{"B_std_footprint", "B_std_interior", "B_chi2_bands"} {
		if z := flipped[name].z; !(math.Abs(z) < maxNullZ) {
			t.Errorf("with --flip-e2: %s has z = %.2f, want |z| < %d:\n%s", name, z, maxNullZ, stderr)
		}
	}
	if d := flipped["B_std_footprint"].data; math.Abs(d-ksBStd) > 0.05 {
		t.Errorf("with --flip-e2: B_std_footprint of the data is %.3f, want about %.2f as in massmap ks", d, ksBStd)
	}
	t.Logf("--flip-e2, signal scale %.3f: B_std_footprint %.3f vs %.3f ± %.3f (z %.2f); B_chi2_bands %.2f vs %.2f ± %.2f (z %.2f)",
		fittedScale(t, comments), flipped["B_std_footprint"].data, flipped["B_std_footprint"].mean, flipped["B_std_footprint"].std, flipped["B_std_footprint"].z,
		flipped["B_chi2_bands"].data, flipped["B_chi2_bands"].mean, flipped["B_chi2_bands"].std, flipped["B_chi2_bands"].z)

	asRead, _, stderr := runBnullTable(t, dir, "asread", common...)
	chi2 := asRead["B_chi2_bands"]
	if !(chi2.z > minAsReadZ) || math.Abs(chi2.p-1.0/(sims+1)) > 1e-6 {
		t.Errorf("as read: B_chi2_bands has z = %.2f and p = %.4f, want z > %d and no simulation above it:\n%s", chi2.z, chi2.p, minAsReadZ, stderr)
	}
	if a, f := asRead["B_std_footprint"].z, flipped["B_std_footprint"].z; !(a > f) {
		t.Errorf("B_std_footprint has z = %.2f as read and %.2f with --flip-e2: want more B modes as read", a, f)
	}
	t.Logf("as read: B_std_footprint z %.2f, B_chi2_bands %.2f vs %.2f ± %.2f (z %.2f)", asRead["B_std_footprint"].z, chi2.data, chi2.mean, chi2.std, chi2.z)
}

// The outputs of massmap bnull: the tables, a FITS file that fitsverify
// accepts, the figure, and no overwriting without --force.
func TestBnullOutputs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "null.txt")
	sims := filepath.Join(dir, "sims.txt")
	maps := filepath.Join(dir, "maps.fits")
	png := filepath.Join(dir, "null.png")
	args := []string{"bnull", "--npix", "48", "--pixel-arcmin", "2", "--sims", "12", "--noise-realisations", "8", "--ps", clTable(t, dir),
		"--out", out, "--sims-out", sims, "--maps-out", maps, "--png", png}
	code, _, stderr := runMassmap(t, args...)
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	for _, want := range []string{"signal scale: ", "B_std_footprint: data ", "wrote " + out, "wrote " + sims, "wrote " + maps, "wrote " + png} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}

	// The per-simulation table has one line per simulation and one column
	// per statistic of the result table, plus the index and the seed.
	rows, _ := readNullTable(t, out)
	text, err := os.ReadFile(sims)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if !strings.HasPrefix(line, "#") {
			lines = append(lines, line)
		}
	}
	if len(lines) != 12 {
		t.Errorf("--sims-out has %d data lines, want 12", len(lines))
	}
	if len(lines) > 0 {
		if got, want := len(strings.Fields(lines[0])), len(rows)+2; got != want {
			t.Errorf("--sims-out has %d columns, want %d", got, want)
		}
		if f := strings.Fields(lines[0]); f[1] != "2" {
			t.Errorf("simulation 0 has seed %s, want --seed + 1 = 2", f[1])
		}
	}

	// The maps: B_SNR is KAPPA_B / KAPPA_STD.
	b, std, snr := readHDU(t, maps, "KAPPA_B"), readHDU(t, maps, "KAPPA_STD"), readHDU(t, maps, "B_SNR")
	for i := range b.Data {
		if want := b.Data[i] / std.Data[i]; math.Abs(snr.Data[i]-want) > 1e-12*math.Abs(want) {
			t.Fatalf("B_SNR[%d] = %g, want KAPPA_B / KAPPA_STD = %g", i, snr.Data[i], want)
		}
	}
	if verify, err := exec.LookPath("fitsverify"); err == nil {
		res, err := exec.Command(verify, maps).CombinedOutput()
		if err != nil || !strings.Contains(string(res), "0 warning(s) and 0 error(s)") {
			t.Errorf("fitsverify %s: %v\n%s", maps, err, res)
		}
	} else {
		t.Log("fitsverify not installed (Debian package fitsverify): the FITS file is not verified")
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("figure missing or tiny: %v", err)
	}

	// A second run without --force changes nothing.
	before, _ := os.ReadFile(out)
	code, _, stderr = runMassmap(t, args...)
	if code != 1 || !strings.Contains(stderr, "--force") {
		t.Errorf("rerun without --force: exit code %d, want 1 and advice to use --force:\n%s", code, stderr)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("rerun without --force changed the result table")
	}
}

func TestBnullRejectsInvalidFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "null.txt")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--sims", "3"}, "--sims 3"},
		{[]string{"--noise-realisations", "1"}, "--noise-realisations 1"},
		{[]string{"--signal-scale", "big"}, "--signal-scale"},
		{[]string{"--signal-scale", "-1"}, "--signal-scale"},
		{[]string{"--smooth-arcmin", "0"}, "--smooth-arcmin"},
		{[]string{"--shift", "0.1"}, "--field lognormal"},
		{[]string{"--box-factor", "0"}, "--box-factor"},
		{[]string{"--field", "uniform"}, "--field"},
		{[]string{"--sims-out", out}, "same file"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			code, _, stderr := runMassmap(t, append([]string{"bnull", "--out", out}, c.args...)...)
			if code != 2 || !strings.Contains(stderr, c.want) {
				t.Errorf("exit code %d, want 2 with a message naming %q:\n%s", code, c.want, stderr)
			}
		})
	}
	if code, _, stderr := runMassmap(t, "bnull"); code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("without --out: exit code %d, want 2 with a message naming --out:\n%s", code, stderr)
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Errorf("rejected runs left files: %v", names)
	}
}

// The statistics of a simulation at any signal scale a come from sums over
// the signal and noise maps apart; they must equal those of a·x + y.
func TestSimPartsMatchScaledMaps(t *testing.T) {
	const (
		nx, ny = 40, 30
		tol    = 1e-10
	)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y, sigma := make([]float64, nx*ny), make([]float64, nx*ny), make([]float64, nx*ny)
	mask := make([]bool, nx*ny)
	for i := range x {
		x[i], y[i] = rng.NormFloat64()+0.3, 2*rng.NormFloat64()-0.1
		sigma[i] = 0.5 + rng.Float64()
		mask[i] = rng.Float64() < 0.7
	}
	pixelRad := 1.0 / 60 * math.Pi / 180
	bins := powerspec.LogBins(400, 10000, 5)
	est, err := powerspec.NewEstimator(nx, ny, pixelRad, bins, powerspec.Options{Mask: mask, ApodizeArcmin: 2})
	if err != nil {
		t.Fatal(err)
	}
	measure := func(m []float64) []float64 {
		spec, err := est.Measure(m)
		if err != nil {
			t.Fatal(err)
		}
		cl := make([]float64, len(spec.Bands))
		for i, b := range spec.Bands {
			cl[i] = b.Cl
		}
		return cl
	}
	sum := make([]float64, len(x))
	for i := range x {
		sum[i] = x[i] + y[i]
	}
	xx, yy, xy := measure(x), measure(y), measure(sum)
	p := simParts{bFootprint: moments(x, y, sigma, mask)}
	for b := range xx {
		p.bands = append(p.bands, bandParts{xx: xx[b], xy: (xy[b] - xx[b] - yy[b]) / 2, yy: yy[b]})
	}

	for _, a := range []float64{0, 0.4, 1, 2.5} {
		scaled := make([]float64, len(x))
		var s, ss, n float64
		for i := range x {
			scaled[i] = a*x[i] + y[i]
			if mask[i] {
				r := scaled[i] / sigma[i]
				s += r
				ss += r * r
				n++
			}
		}
		want := math.Sqrt(ss/n - (s/n)*(s/n))
		got := p.at(a)
		if d := math.Abs(got[statBStdFootprint] - want); d > tol*want {
			t.Errorf("a = %g: std of the scaled map %.12g, from the parts %.12g", a, want, got[statBStdFootprint])
		}
		for b, cl := range measure(scaled) {
			if d := math.Abs(got[statFirstBand+b] - cl); d > tol*cl {
				t.Errorf("a = %g, band %d: band power of the scaled map %.12g, from the parts %.12g", a, b, cl, got[statFirstBand+b])
			}
		}
	}
}

// p is (1 + number of simulations at or above the data) / (1 + N), and the
// chi-square of a simulation leaves that simulation out of the mean and std.
func TestCompareNullPValueAndChi2(t *testing.T) {
	const tol = 1e-12
	bins := powerspec.Bins{Edges: []float64{100, 200}}
	var sims []nullStats
	for i := range 10 {
		v := float64(i + 1)
		sims = append(sims, nullStats{v, v, v, v})
	}
	data := nullStats{3, 3, 3, 3}
	res := compareNull(data, sims, bins)
	r := res.rows[res.primary]
	if want := 9.0 / 11; math.Abs(r.p-want) > tol {
		t.Errorf("p = %g, want (1 + 8) / 11 = %g", r.p, want)
	}
	if mean, std := 5.5, math.Sqrt(110.0/12); math.Abs(r.mean-mean) > tol || math.Abs(r.std-std) > tol {
		t.Errorf("null mean %g and std %g, want %g and %g", r.mean, r.std, mean, std)
	}

	// Simulation 0 (value 1) against the other nine (2 to 10): mean 6,
	// sample variance 7.5.
	c := res.rows[res.chi2]
	if want := 25 / 7.5; math.Abs(c.sims[0]-want) > tol {
		t.Errorf("chi-square of simulation 0 = %g, want (1 - 6)^2 / 7.5 = %g", c.sims[0], want)
	}
	if want := (3 - 5.5) * (3 - 5.5) / (110.0 / 12); math.Abs(c.data-want) > tol {
		t.Errorf("chi-square of the data = %g, want %g", c.data, want)
	}
}

func TestFillHolesCountsHoles(t *testing.T) {
	// 1 observed, 0 not: one hole of 1 pixel, one of 2, and an unobserved
	// region joined to the border, which is not a hole.
	rows := []string{
		"0000000",
		"0111110",
		"0101100",
		"0111010",
		"0111010",
		"0111110",
		"0000000",
	}
	nx, ny := len(rows[0]), len(rows)
	mask := make([]bool, nx*ny)
	for y, r := range rows {
		for x, c := range r {
			mask[y*nx+x] = c == '1'
		}
	}
	filled, holes, pixels := fillHoles(mask, nx, ny)
	if holes != 2 || pixels != 3 {
		t.Errorf("%d holes of %d pixels, want 2 holes of 3 pixels", holes, pixels)
	}
	for _, p := range [][2]int{{2, 2}, {4, 3}, {4, 4}} {
		if !filled[p[1]*nx+p[0]] {
			t.Errorf("hole pixel (%d, %d) not filled", p[0], p[1])
		}
	}
	for _, p := range [][2]int{{5, 2}, {6, 2}, {0, 0}} {
		if filled[p[1]*nx+p[0]] {
			t.Errorf("pixel (%d, %d) joined to the border was filled", p[0], p[1])
		}
	}
}
