package operators

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func randomVector(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func randomPSF(rng *rand.Rand, kx, ky int) []float64 {
	p := make([]float64, kx*ky)
	for i := range p {
		p[i] = rng.Float64() + 0.1
	}
	return p
}

func randomMask(rng *rand.Rand, n int) []bool {
	m := make([]bool, n)
	for i := range m {
		m[i] = rng.Float64() < 0.6
	}
	m[0] = true
	return m
}

// Every operator must satisfy <A x, y> = <x, Aᵀ y>.
func TestAdjointIdentity(t *testing.T) {
	const tol = 1e-10
	rng := rand.New(rand.NewPCG(1, 2))
	must := func(op Operator, err error) Operator {
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	shear := func(nx, ny int, opt ShearOptions) Operator {
		s, err := NewShear(nx, ny, opt)
		return must(s, err)
	}
	conv := func(nx, ny, kx, ky int, b Boundary) Operator {
		c, err := NewConvolution(nx, ny, randomPSF(rng, kx, ky), kx, ky, b)
		return must(c, err)
	}
	mask := func(s Shape) Operator {
		m, err := NewMask(s, randomMask(rng, s.NX*s.NY))
		return must(m, err)
	}
	sample := func(s Shape) Operator {
		m, err := NewSample(s, randomMask(rng, s.NX*s.NY))
		return must(m, err)
	}
	compose := func(ops ...Operator) Operator {
		c, err := Compose(ops...)
		return must(c, err)
	}
	sum := func(w []float64, ops ...Operator) Operator {
		s, err := NewSum(w, ops...)
		return must(s, err)
	}

	cases := []struct {
		name string
		op   Operator
	}{
		{"shear 32x32", shear(32, 32, ShearOptions{})},
		{"shear 33x17", shear(33, 17, ShearOptions{})},
		{"shear 20x15 padded", shear(20, 15, ShearOptions{Pad: 7})},
		{"shear 21x16 pixel frame", shear(21, 16, ShearOptions{PixelFrame: true})},
		{"shear 24x19 E only", shear(24, 19, ShearOptions{EOnly: true})},
		{"shear 1x1", shear(1, 1, ShearOptions{})},
		{"convolution 32x24 periodic 5x5", conv(32, 24, 5, 5, Periodic)},
		{"convolution 31x27 periodic 4x6", conv(31, 27, 4, 6, Periodic)},
		{"convolution 30x21 zero 7x4", conv(30, 21, 7, 4, ZeroPad)},
		{"convolution 17x17 zero 17x17", conv(17, 17, 17, 17, ZeroPad)},
		{"mask 2 channels", mask(Shape{13, 8, 2})},
		{"sample 2 channels", sample(Shape{9, 12, 2})},
		{"masked shear", compose(mask(Shape{25, 18, 2}), shear(25, 18, ShearOptions{EOnly: true}))},
		{"sampled convolution", compose(sample(Shape{19, 22, 1}), conv(19, 22, 3, 6, ZeroPad))},
		{"three in a row", compose(conv(16, 15, 3, 3, Periodic), conv(16, 15, 2, 2, ZeroPad), mask(Shape{16, 15, 1}))},
		{"sum", sum([]float64{0.5, -2}, conv(18, 11, 3, 3, Periodic), conv(18, 11, 5, 2, ZeroPad))},
		{"scale", Scale(3.5, shear(12, 10, ShearOptions{}))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := randomVector(rng, c.op.Domain().Len())
			y := randomVector(rng, c.op.Range().Len())
			ax := make([]float64, c.op.Range().Len())
			aty := make([]float64, c.op.Domain().Len())
			c.op.Apply(ax, x)
			c.op.Adjoint(aty, y)
			lhs, rhs := dot(ax, y), dot(x, aty)
			scale := math.Sqrt(dot(ax, ax)*dot(y, y)) + math.Sqrt(dot(x, x)*dot(aty, aty))
			if scale == 0 {
				if lhs != 0 || rhs != 0 {
					t.Errorf("<Ax, y> = %g and <x, Aᵀy> = %g for a zero operator", lhs, rhs)
				}
				return
			}
			if rel := math.Abs(lhs-rhs) / scale; !(rel <= tol) {
				t.Errorf("<Ax, y> = %.15g, <x, Aᵀy> = %.15g: relative difference %.3g", lhs, rhs, rel)
			}
		})
	}
}

// A PSF that is a single 1 at its centre pixel (kx/2, ky/2) is the identity,
// for odd and even PSF sizes and both boundaries.
func TestConvolutionCentring(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range [][2]int{{5, 5}, {4, 4}, {6, 3}, {1, 1}, {20, 20}} {
		for _, b := range []Boundary{Periodic, ZeroPad} {
			nx, ny := 27, 22
			psf := make([]float64, k[0]*k[1])
			psf[(k[1]/2)*k[0]+k[0]/2] = 1
			c, err := NewConvolution(nx, ny, psf, k[0], k[1], b)
			if err != nil {
				t.Fatal(err)
			}
			x := randomVector(rng, nx*ny)
			y := make([]float64, nx*ny)
			c.Apply(y, x)
			for i := range x {
				if math.Abs(x[i]-y[i]) > 1e-12 {
					t.Fatalf("PSF %dx%d, %v: pixel %d changed from %g to %g", k[0], k[1], b, i, x[i], y[i])
				}
			}
		}
	}
}

// Zero padding gives the linear convolution: compare with a direct sum.
func TestConvolutionMatchesDirectSum(t *testing.T) {
	const tol = 1e-12
	rng := rand.New(rand.NewPCG(5, 6))
	nx, ny, kx, ky := 14, 11, 4, 3
	psf := randomPSF(rng, kx, ky)
	x := randomVector(rng, nx*ny)
	for _, b := range []Boundary{Periodic, ZeroPad} {
		c, _ := NewConvolution(nx, ny, psf, kx, ky, b)
		got := make([]float64, nx*ny)
		c.Apply(got, x)
		for py := range ny {
			for px := range nx {
				want := 0.0
				for j := range ky {
					for i := range kx {
						sx, sy := px-(i-kx/2), py-(j-ky/2)
						if b == Periodic {
							sx, sy = (sx+nx)%nx, (sy+ny)%ny
						} else if sx < 0 || sx >= nx || sy < 0 || sy >= ny {
							continue
						}
						want += psf[j*kx+i] * x[sy*nx+sx]
					}
				}
				if d := math.Abs(got[py*nx+px] - want); d > tol {
					t.Fatalf("%v: pixel (%d, %d) = %g, direct sum %g", b, px, py, got[py*nx+px], want)
				}
			}
		}
	}
}

func TestNewConvolutionRejectsBadPSF(t *testing.T) {
	cases := []struct {
		name   string
		psf    []float64
		kx, ky int
		want   string
	}{
		{"sums to zero", []float64{1, -1, 0, 0}, 2, 2, "sums to zero"},
		{"NaN", []float64{1, math.NaN(), 0, 0}, 2, 2, "NaN"},
		{"larger than image", make([]float64, 12*2), 12, 2, "larger than"},
		{"wrong length", []float64{1, 2, 3}, 2, 2, "does not match"},
	}
	for _, c := range cases {
		_, err := NewConvolution(10, 10, c.psf, c.kx, c.ky, Periodic)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestComposeRejectsMismatchedShapes(t *testing.T) {
	s, _ := NewShear(10, 10, ShearOptions{})
	m, _ := NewMask(Shape{10, 10, 1}, make([]bool, 100))
	if _, err := Compose(m, s); err == nil {
		t.Error("composing a one-channel mask after a two-channel shear returned no error")
	}
	if _, err := NewSample(Shape{3, 3, 1}, make([]bool, 9)); err == nil {
		t.Error("a sample keeping no pixel returned no error")
	}
}
