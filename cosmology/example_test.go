package cosmology_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/skyinv/skyinv/cosmology"
)

func ExampleNew() {
	m, err := cosmology.New(cosmology.Planck2018(), cosmology.Settings{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("sigma8 = %.4f\n", m.SigmaTopHat(8, 0))
	fmt.Printf("chi(z=1) = %.1f Mpc = %.1f Mpc/h\n", m.ComovingDistanceMpc(1), m.ComovingDistanceMpcH(1))
	fmt.Printf("D(z=1) = %.4f\n", m.Growth(1))
	fmt.Printf("P_nl/P_lin at k = 1 h/Mpc, z = 0: %.2f\n", m.NonlinearPower(1, 0)/m.LinearPower(1, 0))
	// Output:
	// sigma8 = 0.8102
	// chi(z=1) = 3398.8 Mpc = 2299.6 Mpc/h
	// D(z=1) = 0.6085
	// P_nl/P_lin at k = 1 h/Mpc, z = 0: 6.00
}

func ExampleConvergenceCl() {
	ells := []float64{100, 1000, 10000}
	cl, err := cosmology.ConvergenceCl(cosmology.Planck2018(), cosmology.SingleSource(1), ells)
	if err != nil {
		log.Fatal(err)
	}
	for i, l := range ells {
		fmt.Printf("ell = %5.0f: C_ell = %.4e\n", l, cl[i])
	}
	// Output:
	// ell =   100: C_ell = 7.9204e-09
	// ell =  1000: C_ell = 4.2579e-10
	// ell = 10000: C_ell = 1.0431e-11
}

func ExampleSourceDistribution() {
	// A broad n(z), linear between the nodes; it needs no normalisation.
	src, err := cosmology.SourceDistribution(
		[]float64{0, 0.5, 1, 1.5, 2.5},
		[]float64{0, 2, 3, 1, 0},
	)
	if err != nil {
		log.Fatal(err)
	}
	cl, err := cosmology.ConvergenceCl(cosmology.Planck2018(), src, []float64{1000})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("C_1000 = %.3e\n", cl[0])
	// Output:
	// C_1000 = 3.389e-10
}

func ExampleTable_At() {
	text := `# ell  C_ell
100   1e-8
1000  1e-10
`
	tab, err := cosmology.ParseTable(strings.NewReader(text), "example")
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range []float64{0, 50, 100, 316.22776601683796, 1000, 3000} {
		fmt.Printf("At(%.0f) = %.3g\n", l, tab.At(l))
	}
	// Output:
	// At(0) = 0
	// At(50) = 1e-08
	// At(100) = 1e-08
	// At(316) = 1e-09
	// At(1000) = 1e-10
	// At(3000) = 1.11e-11
}
