package cosmology_test

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/internal/shareddata"
)

func TestReadTableKTNG(t *testing.T) {
	tab, err := cosmology.ReadTable(shareddata.Path(t, "ktng/ps_theory.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 50 {
		t.Fatalf("%d rows, want 50", tab.Len())
	}
	if ell, cl := tab.Row(0); ell != 10 || cl != 4.2771425512e-08 {
		t.Errorf("first row (%v, %v), want (10, 4.2771425512e-08)", ell, cl)
	}
	if ell, cl := tab.Row(49); ell != 1e5 || cl != 9.7340802682e-14 {
		t.Errorf("last row (%v, %v), want (1e5, 9.7340802682e-14)", ell, cl)
	}
}

func TestReadTableMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.txt")
	_, err := cosmology.ReadTable(path)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one wrapping os.ErrNotExist", err)
	}
}

func TestParseTableErrors(t *testing.T) {
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"not increasing", "# ell C\n10 1e-8\n20 1e-9\n20 1e-10\n", 4, "not greater than the previous ell 20"},
		{"decreasing", "10 1e-8\n\n5 1e-9\n", 3, "ell = 5 is not greater"},
		{"negative power", "10 1e-8\n20 -1e-9\n", 2, "is negative"},
		{"NaN power", "10 NaN\n", 1, "is not finite"},
		{"zero ell", "0 1e-8\n", 1, "want a finite ℓ > 0"},
		{"three columns", "10 1e-8 3\n", 1, "found 3 columns"},
		{"bad number", "10 1e-8\n2O 1e-9\n", 2, `invalid ell "2O"`},
		{"bad power", "10 x\n", 1, `invalid C_ell "x"`},
		{"no rows", "# only a comment\n\n", 0, "no data rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cosmology.ParseTable(strings.NewReader(c.text), "cl.txt")
			var te *cosmology.TableError
			if !errors.As(err, &te) {
				t.Fatalf("error %v, want a *TableError", err)
			}
			if te.File != "cl.txt" {
				t.Errorf("File = %q, want cl.txt", te.File)
			}
			if te.Line != c.line {
				t.Errorf("Line = %d, want %d (error %q)", te.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestParseTableCommentsAndBlanks(t *testing.T) {
	text := "# header\n\n  # indented comment\n10 1e-8\n\t20\t5e-9  \n"
	tab, err := cosmology.ParseTable(strings.NewReader(text), "cl.txt")
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 2 {
		t.Fatalf("%d rows, want 2", tab.Len())
	}
	if ell, cl := tab.Row(1); ell != 20 || cl != 5e-9 {
		t.Errorf("row 1 = (%v, %v), want (20, 5e-9)", ell, cl)
	}
}

func TestNewTableErrors(t *testing.T) {
	if _, err := cosmology.NewTable([]float64{1, 2}, []float64{1}); err == nil {
		t.Error("lengths 2 and 1: no error")
	}
	if _, err := cosmology.NewTable(nil, nil); err == nil {
		t.Error("empty table: no error")
	}
	if _, err := cosmology.NewTable([]float64{1, 3, 2}, []float64{1, 1, 1}); err == nil {
		t.Error("ℓ not increasing: no error")
	}
	if _, err := cosmology.NewTable([]float64{1, 2}, []float64{1, math.Inf(1)}); err == nil {
		t.Error("infinite C_ℓ: no error")
	}
}

func TestTableAt(t *testing.T) {
	// A power law C = 1e-8 (ℓ/10)^−1.5 is reproduced exactly by log-log
	// interpolation and by the extrapolation above the last row.
	ells := []float64{10, 100, 1000}
	cls := make([]float64, len(ells))
	law := func(l float64) float64 { return 1e-8 * math.Pow(l/10, -1.5) }
	for i, l := range ells {
		cls[i] = law(l)
	}
	tab, err := cosmology.NewTable(ells, cls)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []float64{10, 31.6, 100, 555, 1000, 5000} {
		if got, want := tab.At(l), law(l); relErr(got, want) > 1e-12 {
			t.Errorf("At(%v) = %v, want %v", l, got, want)
		}
	}
	if got := tab.At(0); got != 0 {
		t.Errorf("At(0) = %v, want 0", got)
	}
	if got := tab.At(3); got != cls[0] {
		t.Errorf("At(3) = %v, want the first row's %v", got, cls[0])
	}
	if got := tab.At(math.NaN()); !math.IsNaN(got) {
		t.Errorf("At(NaN) = %v, want NaN", got)
	}
}

func TestTableAtZeroPower(t *testing.T) {
	tab, err := cosmology.NewTable([]float64{10, 100, 1000}, []float64{2, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	// Halfway in ln ℓ between a positive and a zero row: linear in C.
	if got := tab.At(math.Sqrt(10 * 100)); math.Abs(got-1) > 1e-12 {
		t.Errorf("At(31.6) = %v, want 1", got)
	}
	if got := tab.At(5000); got != 0 {
		t.Errorf("At(5000) = %v, want 0 beyond a zero last row", got)
	}
}

func TestTableAtNegativePanics(t *testing.T) {
	tab, err := cosmology.NewTable([]float64{10}, []float64{1})
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.At(50); got != 1 {
		t.Errorf("one-row table: At(50) = %v, want 1", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("At(−1) did not panic")
		}
	}()
	tab.At(-1)
}
