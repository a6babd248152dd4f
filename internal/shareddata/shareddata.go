// Package shareddata locates the reference data sets that tests and
// benchmarks use when they are present: the COSMOS shear catalogue, the
// kappaTNG simulated field and the HST galaxy stamps, kept outside the
// repository in ../shared/data relative to the module root. The variable
// SKYINV_DATA overrides that location.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the data directory and whether it exists.
func Dir() (string, bool) {
	if d := os.Getenv("SKYINV_DATA"); d != "" {
		_, err := os.Stat(d)
		return d, err == nil
	}
	root, ok := moduleRoot()
	if !ok {
		return "", false
	}
	d := filepath.Join(root, "..", "shared", "data")
	_, err := os.Stat(d)
	return d, err == nil
}

// Path returns the path of a file of the data set, relative to the data
// directory (for example "cosmos/cosmos_shear_cat.fits"). It skips the test
// or benchmark, naming the missing file, when the file is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	d, _ := Dir()
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("reference data %s not found (set SKYINV_DATA to the directory that holds cosmos/, ktng/ and hst/): skipping", p)
	}
	return p
}

// moduleRoot walks up from the working directory to the directory with
// go.mod.
func moduleRoot() (string, bool) {
	d, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, true
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", false
		}
		d = parent
	}
}
