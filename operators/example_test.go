package operators_test

import (
	"fmt"
	"log"
	"math"

	"github.com/skyinv/skyinv/operators"
)

// The shear of a positive convergence peak is tangential around it. Maps
// have North up and East to the left, γ1 > 0 is an elongation along the
// East-West axis and γ2 > 0 along the North-East to South-West diagonal.
// So γ1 is positive North of the peak, negative West of it, and γ2 is
// negative North-East of it. The adjoint, the Kaiser-Squires inversion,
// brings the peak back less the map's mean, because the shear does not
// constrain the mean.
func ExampleShear() {
	const n = 64
	const c = n / 2 // the peak's pixel, x = y = c
	kappa := make([]float64, n*n)
	for y := range n {
		for x := range n {
			r2 := float64((x-c)*(x-c) + (y-c)*(y-c))
			kappa[y*n+x] = 0.1 * math.Exp(-r2/(2*3*3))
		}
	}

	op, err := operators.NewShear(n, n, operators.ShearOptions{EOnly: true})
	if err != nil {
		log.Fatal(err)
	}
	shear := make([]float64, op.Range().Len()) // γ1 then γ2
	op.Apply(shear, kappa)
	g1, g2 := shear[:n*n], shear[n*n:]

	north, west, northEast := (c+5)*n+c, c*n+c+5, (c+5)*n+c-5
	fmt.Printf("North:      γ1 = %+.4f\n", g1[north])
	fmt.Printf("West:       γ1 = %+.4f\n", g1[west])
	fmt.Printf("North-East: γ2 = %+.4f\n", g2[northEast])

	back := make([]float64, op.Domain().Len())
	op.Adjoint(back, shear)
	mean := 0.0
	for _, v := range kappa {
		mean += v / (n * n)
	}
	fmt.Printf("peak %.4f, after the inversion %.4f, mean %.4f\n", kappa[c*n+c], back[c*n+c], mean)
	// Output:
	// North:      γ1 = +0.0291
	// West:       γ1 = -0.0291
	// North-East: γ2 = -0.0275
	// peak 0.1000, after the inversion 0.0986, mean 0.0014
}
