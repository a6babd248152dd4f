package shearmap

import (
	"errors"
	"math"
	"testing"

	"github.com/skyinv/skyinv/skymap"
)

func TestBinWeightedMeans(t *testing.T) {
	const tol = 1e-14
	// A 3 x 2 grid of 6-arcmin (0.1 degree) pixels in RA/Dec around (10, 0).
	g, err := skymap.NewGrid(3, 2, 6, skymap.PlateCarree, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Pixel centres: RA 10.1, 10.0, 9.9 for x = 0, 1, 2; Dec -0.05, 0.05.
	ra := []float64{10.1, 10.1, 9.9, 10.0, 12}
	dec := []float64{-0.05, -0.04, 0.05, 0.05, 0}
	e1 := []float64{0.2, -0.1, 0.3, 0.05, 9}
	e2 := []float64{0.0, 0.4, -0.3, 0.1, 9}
	w := []float64{1, 3, 2, 0, 1}

	f, err := Bin(g, ra, dec, e1, e2, w)
	if err != nil {
		t.Fatal(err)
	}
	if f.Binned != 4 || f.Outside != 1 {
		t.Fatalf("binned %d, outside %d; want 4 and 1", f.Binned, f.Outside)
	}

	p00 := 0       // x = 0, y = 0
	p21 := 1*3 + 2 // x = 2, y = 1
	p11 := 1*3 + 1 // x = 1, y = 1: one galaxy of zero weight
	if f.NGal[p00] != 2 || f.NGal[p21] != 1 || f.NGal[p11] != 1 {
		t.Fatalf("counts %v", f.NGal)
	}
	if got, want := f.G1[p00], (0.2*1-0.1*3)/4; math.Abs(got-want) > tol {
		t.Errorf("G1 = %g, want %g", got, want)
	}
	if got, want := f.G2[p00], (0.4*3)/4.0; math.Abs(got-want) > tol {
		t.Errorf("G2 = %g, want %g", got, want)
	}
	if f.Weight[p00] != 4 || f.WeightSq[p00] != 10 {
		t.Errorf("weight sums %g, %g; want 4, 10", f.Weight[p00], f.WeightSq[p00])
	}

	// σ_e from the three galaxies of non-zero weight.
	sw := 6.0
	m1 := (0.2 - 0.3 + 0.6) / sw
	m2 := (1.2 - 0.6) / sw
	ss := 1*(sq(0.2-m1)+sq(0-m2)) + 3*(sq(-0.1-m1)+sq(0.4-m2)) + 2*(sq(0.3-m1)+sq(-0.3-m2))
	sigmaE := math.Sqrt(ss / (2 * sw))
	if math.Abs(f.SigmaE-sigmaE) > tol {
		t.Errorf("SigmaE = %.15g, want %.15g", f.SigmaE, sigmaE)
	}
	if got, want := f.Std[p00], sigmaE*math.Sqrt(10)/4; math.Abs(got-want) > tol {
		t.Errorf("Std = %g, want %g", got, want)
	}
	if got, want := f.Std[p21], sigmaE; math.Abs(got-want) > tol {
		t.Errorf("Std of a single galaxy of weight 2 = %g, want σ_e = %g", got, want)
	}
	if !math.IsNaN(f.Std[p11]) || f.G1[p11] != 0 {
		t.Errorf("zero-weight pixel: Std %g, G1 %g; want NaN and 0", f.Std[p11], f.G1[p11])
	}
	if !math.IsNaN(f.Std[1]) || f.NGal[1] != 0 {
		t.Errorf("empty pixel: Std %g, NGal %d", f.Std[1], f.NGal[1])
	}
	mask := f.Mask()
	if !mask[p11] || mask[1] || f.Occupied() != 3 {
		t.Errorf("mask %v, occupied %d: a pixel with a zero-weight galaxy is occupied, an empty one is not", mask, f.Occupied())
	}
}

func sq(x float64) float64 { return x * x }

func TestBinUnitWeights(t *testing.T) {
	g, _ := skymap.NewGrid(4, 4, 1, skymap.Gnomonic, 200, -30)
	ra := []float64{200, 200, 200}
	dec := []float64{-30, -30, -30}
	f, err := Bin(g, ra, dec, []float64{0.1, 0.2, 0.3}, []float64{0, 0, 0.3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The centre of an even grid is the corner of pixels (1,1), (2,1),
	// (1,2), (2,2); exact rounding puts it in (2, 2).
	p := 2*4 + 2
	if f.NGal[p] != 3 || f.Weight[p] != 3 || math.Abs(f.G1[p]-0.2) > 1e-15 || math.Abs(f.G2[p]-0.1) > 1e-15 {
		t.Errorf("pixel %d: n %d, w %g, g (%g, %g)", p, f.NGal[p], f.Weight[p], f.G1[p], f.G2[p])
	}
}

func TestBinRejectsFarGalaxies(t *testing.T) {
	g, _ := skymap.NewGrid(10, 10, 1, skymap.Gnomonic, 10, 0)
	_, err := Bin(g, []float64{10, 100.5, 190}, []float64{0, 0, 0}, make([]float64, 3), make([]float64, 3), nil)
	var far *TooFarError
	if !errors.As(err, &far) {
		t.Fatalf("err = %v, want a *TooFarError", err)
	}
	if far.Count != 2 || far.First != 1 {
		t.Errorf("count %d, first %d; want 2 and 1", far.Count, far.First)
	}
}

func TestBinRejectsEmptyGrid(t *testing.T) {
	g, _ := skymap.NewGrid(10, 10, 1, skymap.Gnomonic, 10, 0)
	_, err := Bin(g, []float64{20}, []float64{5}, []float64{0}, []float64{0}, nil)
	if !errors.Is(err, ErrEmptyGrid) {
		t.Fatalf("err = %v, want ErrEmptyGrid", err)
	}
}

func TestMeanShearAllocatesNothing(t *testing.T) {
	g, _ := skymap.NewGrid(50, 50, 1, skymap.Gnomonic, 10, 0)
	n := 5000
	ra, dec := make([]float64, n), make([]float64, n)
	e := make([]float64, n)
	for i := range n {
		ra[i] = 10 + 0.3*math.Sin(float64(i))
		dec[i] = 0.3 * math.Cos(float64(i)*1.7)
		e[i] = 0.1 * math.Sin(float64(i)*0.3)
	}
	a, err := Assign(g, ra, dec, nil)
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 := make([]float64, g.Len()), make([]float64, g.Len())
	if allocs := testing.AllocsPerRun(10, func() { a.MeanShear(g1, g2, e, e) }); allocs != 0 {
		t.Errorf("MeanShear allocates %g times per call", allocs)
	}
}
