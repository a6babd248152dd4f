package fits_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/internal/shareddata"
)

// requireTool returns the path of an external program that an
// interoperability test needs. Without it the test is skipped, or fails when
// the CI environment variable is set, because CI installs these programs.
func requireTool(t *testing.T, path, install string) string {
	t.Helper()
	p, err := exec.LookPath(path)
	if err != nil {
		msg := fmt.Sprintf("%s not found (%v); install %s to run this interoperability test", path, err, install)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// requireAstropy returns the Debian system Python with astropy and numpy.
// It is /usr/bin/python3 on purpose: the python3 first on PATH may be
// another installation without astropy.
func requireAstropy(t *testing.T) string {
	t.Helper()
	python := requireTool(t, "/usr/bin/python3", "python3 (apt-get install python3-astropy python3-numpy)")
	out, err := exec.Command(python, "-c", "import astropy, numpy").CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("%s cannot import astropy and numpy (%v: %s); apt-get install python3-astropy python3-numpy", python, err, out)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return python
}

var verifySummary = regexp.MustCompile(`Verification found (\d+) warning\(s\) and (\d+) error\(s\)`)

// checkFitsverify runs fitsverify on path and fails the test unless it
// reports 0 warnings and 0 errors.
func checkFitsverify(t *testing.T, path string) {
	t.Helper()
	fitsverify := requireTool(t, "fitsverify", "fitsverify (apt-get install fitsverify)")
	// fitsverify exits with a non-zero status when it finds problems, so
	// the summary line is what counts.
	out, _ := exec.Command(fitsverify, path).CombinedOutput()
	m := verifySummary.FindSubmatch(out)
	if m == nil {
		t.Fatalf("fitsverify %s printed no summary line:\n%s", path, out)
	}
	if string(m[1]) != "0" || string(m[2]) != "0" {
		t.Errorf("fitsverify %s: %s warnings and %s errors:\n%s", path, m[1], m[2], out)
	}
}

// runPython runs script with /usr/bin/python3 and the given arguments and
// decodes its standard output as JSON into v.
func runPython(t *testing.T, python, script string, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(python, append([]string{"-c", script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python script failed: %v\n%s", err, stderr.String())
	}
	if v == nil {
		return
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("python output is not the expected JSON: %v\n%s", err, out)
	}
}

// parseHexFloats decodes floats written by Python's float.hex ("nan" and
// "inf" included), which keeps every bit of a float64.
func parseHexFloats(t *testing.T, hex []string) []float64 {
	t.Helper()
	out := make([]float64, len(hex))
	for i, s := range hex {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("value %d: cannot parse %q: %v", i, s, err)
		}
		out[i] = v
	}
	return out
}

// sameFloat is == with NaN equal to NaN.
func sameFloat(a, b float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b)
}

// compareFloats reports every position where got and want differ, up to a
// few.
func compareFloats(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i := range got {
		if !sameFloat(got[i], want[i]) {
			if bad < 5 {
				t.Errorf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d values differ in all", what, bad)
	}
}

// moduleRoot walks up from the test's working directory to the directory
// that contains go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// sharedData returns the path of a reference data file, or skips the test
// when it is absent (see internal/shareddata for where it is looked up).
func sharedData(t testing.TB, name string) string {
	t.Helper()
	return shareddata.Path(t, name)
}

// card formats one fixed-format header card for hand-assembled files.
func card(key string, value any) string {
	var v string
	switch x := value.(type) {
	case string:
		v = fmt.Sprintf("%-20s", "'"+x+"'")
	case bool:
		v = fmt.Sprintf("%20s", map[bool]string{true: "T", false: "F"}[x])
	default:
		v = fmt.Sprintf("%20v", x)
	}
	return fmt.Sprintf("%-80s", fmt.Sprintf("%-8s= %s", key, v))
}

// raw pads a hand-written card to 80 characters.
func raw(s string) string { return fmt.Sprintf("%-80s", s) }

// header joins cards, adds END and pads with spaces to a whole block.
func header(cards ...string) []byte {
	s := strings.Join(cards, "") + fmt.Sprintf("%-80s", "END")
	for len(s)%2880 != 0 {
		s += " "
	}
	return []byte(s)
}

// padData pads data with zeros to a whole block.
func padData(b []byte) []byte {
	for len(b)%2880 != 0 {
		b = append(b, 0)
	}
	return b
}

func writeFile(t testing.TB, dir, name string, parts ...[]byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, bytes.Join(parts, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
