package plotspec

import (
	"bytes"
	"image/png"
	"math"
	"strings"
	"testing"
)

// powerLaw returns C_ℓ = 1e-9 (ℓ/1000)^-1.2 at the given multipoles.
func powerLaw(ells []float64) []float64 {
	cl := make([]float64, len(ells))
	for i, l := range ells {
		cl[i] = 1e-9 * math.Pow(l/1000, -1.2)
	}
	return cl
}

func TestEncodeWritesPNG(t *testing.T) {
	ells := []float64{200, 400, 800, 1600, 3200, 6400}
	cl := powerLaw(ells)
	errs := make([]float64, len(cl))
	for i := range cl {
		errs[i] = 0.3 * cl[i]
	}
	// The first band's error reaches below zero, the last band has no
	// modes: neither may stop the figure.
	errs[0] = 2 * cl[0]
	measured := append([]float64(nil), cl...)
	measured[5] = math.NaN()

	var buf bytes.Buffer
	err := Encode(&buf, Figure{
		Title:  "test spectrum",
		Points: []Points{{Label: "E mode", Ell: ells, Cl: measured, Err: errs}},
		Curves: []Curve{{Label: "model", Ell: ells, Cl: cl}, {Label: "noise", Ell: ells, Cl: []float64{1e-11, 1e-11, 1e-11, 1e-11, 1e-11, 1e-11}, Dashed: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("output is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 770 || b.Dy() != 550 {
		t.Errorf("image is %d x %d pixels, want 770 x 550", b.Dx(), b.Dy())
	}
}

func TestEncodeRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		fig  Figure
		want string
	}{
		{"unequal lengths", Figure{Points: []Points{{Label: "E", Ell: []float64{100, 200}, Cl: []float64{1}}}}, "equal lengths"},
		{"nothing positive", Figure{Points: []Points{{Label: "E", Ell: []float64{100, 200}, Cl: []float64{0, math.NaN()}}}}, "no band"},
		{"empty figure", Figure{}, "no band"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, c.fig)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written after the error", buf.Len())
			}
		})
	}
}

func TestTickLabels(t *testing.T) {
	cases := []struct {
		m, e int
		want string
	}{
		{1, 0, "1"}, {1, 3, "1000"}, {5, 2, "500"}, {1, -2, "0.01"}, {2, -2, "0.02"}, {1, 5, "1e+05"}, {1, -5, "1e-05"}, {2, -6, "2e-06"},
	}
	for _, c := range cases {
		if got := tickLabel(c.m, c.e); got != c.want {
			t.Errorf("tickLabel(%d, %d) = %q, want %q", c.m, c.e, got, c.want)
		}
	}
}
