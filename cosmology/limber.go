package cosmology

import (
	"fmt"
	"math"
	"sort"
)

// Source is the redshift distribution of the lensed sources: either all
// sources at one redshift (SingleSource) or a tabulated n(z)
// (SourceDistribution). The zero Source is invalid.
type Source struct {
	z     float64   // single source redshift, when zs is nil
	zs, n []float64 // n(z) nodes, normalised to unit integral
}

// SingleSource returns a Source with all sources at redshift z.
// ConvergenceCl rejects z ≤ 0.
func SingleSource(z float64) Source { return Source{z: z} }

// SourceDistribution returns a Source with the redshift distribution n(z)
// tabulated at the strictly increasing redshifts z ≥ 0, linear between the
// nodes and zero outside them. n needs no normalisation: it is divided by
// its integral. It returns an error when the lengths differ, there are
// fewer than two nodes, a redshift is negative, not finite or out of
// order, an n is negative or not finite, or all n are zero.
func SourceDistribution(z, n []float64) (Source, error) {
	if len(z) != len(n) {
		return Source{}, fmt.Errorf("cosmology: invalid n(z): %d redshifts but %d values", len(z), len(n))
	}
	if len(z) < 2 {
		return Source{}, fmt.Errorf("cosmology: invalid n(z): %d nodes, want at least 2", len(z))
	}
	var norm float64
	for i := range z {
		switch {
		case !(z[i] >= 0) || math.IsInf(z[i], 1):
			return Source{}, fmt.Errorf("cosmology: invalid n(z): z[%d] = %v, want a finite z ≥ 0", i, z[i])
		case i > 0 && !(z[i] > z[i-1]):
			return Source{}, fmt.Errorf("cosmology: invalid n(z): z[%d] = %v is not greater than z[%d] = %v", i, z[i], i-1, z[i-1])
		case !(n[i] >= 0) || math.IsInf(n[i], 1):
			return Source{}, fmt.Errorf("cosmology: invalid n(z): n[%d] = %v at z = %v, want a finite n ≥ 0", i, n[i], z[i])
		}
		if i > 0 {
			norm += 0.5 * (n[i] + n[i-1]) * (z[i] - z[i-1])
		}
	}
	if !(norm > 0) {
		return Source{}, fmt.Errorf("cosmology: invalid n(z): the distribution integrates to %v, want > 0", norm)
	}
	s := Source{zs: append([]float64(nil), z...), n: make([]float64, len(n))}
	for i := range n {
		s.n[i] = n[i] / norm
	}
	return s, nil
}

// MaxRedshift returns the highest source redshift: the redshift of a
// single source or the last node of n(z).
func (s Source) MaxRedshift() float64 {
	if s.zs == nil {
		return s.z
	}
	return s.zs[len(s.zs)-1]
}

func (s Source) validate() error {
	if s.zs == nil && !(s.z > 0 && !math.IsInf(s.z, 1)) {
		return fmt.Errorf("cosmology: invalid source redshift %v, want a finite z > 0 (use SingleSource or SourceDistribution)", s.z)
	}
	return nil
}

// density returns n(z), linear between the nodes and zero outside them.
func (s Source) density(z float64) float64 {
	zs := s.zs
	if z < zs[0] || z > zs[len(zs)-1] {
		return 0
	}
	i := max(1, sort.SearchFloat64s(zs, z))
	t := (z - zs[i-1]) / (zs[i] - zs[i-1])
	return s.n[i-1] + t*(s.n[i]-s.n[i-1])
}

// ConvergenceCl returns the angular power spectrum C_ℓ of the lensing
// convergence at the multipoles ells for the cosmology p with the default
// Settings. It is New(p, Settings{}) followed by Model.ConvergenceCl; build
// the Model once to compute several spectra of one cosmology.
func ConvergenceCl(p Params, src Source, ells []float64) ([]float64, error) {
	m, err := New(p, Settings{})
	if err != nil {
		return nil, err
	}
	return m.ConvergenceCl(src, ells)
}

// limberNode is one quadrature node of the Limber integral in redshift.
type limberNode struct {
	z, weight  float64 // redshift and quadrature weight in dz
	chi        float64 // comoving distance in Mpc/h
	qOverChi   float64 // lensing efficiency q(χ)/χ in (h/Mpc)²
	dChiDz     float64 // c/H(z) in Mpc/h
	halofit    halofit
	zeroWeight bool // q = 0: the node adds nothing
}

// ConvergenceCl returns the angular power spectrum C_ℓ of the lensing
// convergence at the multipoles ells ≥ 0, in the flat-sky Limber
// approximation (Limber 1953, ApJ 117, 134; Kaiser 1992, ApJ 388, 272)
// with k = (ℓ + 1/2)/χ:
//
//	C_ℓ = ∫₀^χ_max dχ q²(χ)/χ² P((ℓ + 1/2)/χ, z(χ)),
//	q(χ) = (3/2) Ω_m (H0/c)² χ/a(χ) ∫_χ^χ_max dχ′ n(χ′) (χ′ − χ)/χ′,
//
// with n(χ′) dχ′ = n(z′) dz′; for a single source at χ_s the inner
// integral is (χ_s − χ)/χ_s. P is the Halofit power, or the linear power
// with Settings.Nonlinear = Linear. Reduced shear, magnification, source
// clustering and intrinsic alignments are left out, and the Limber
// approximation itself is poor below ℓ ≈ 10.
//
// The integral is computed in redshift, dχ = (c/H) dz, with
// Settings.LimberPanels Gauss–Legendre panels of 8 points: one from z = 0
// to 1e-3 of the highest source redshift and the others equal in ln z up
// to it. Equal panels in ln z are nearly equal in ln χ, hence in ln k at
// fixed ℓ, which resolves the acoustic wiggles at low ℓ as well as the
// smooth integrand at high ℓ. For n(z) the panels are also split at the
// nodes of the table, where n has kinks.
func (m *Model) ConvergenceCl(src Source, ells []float64) ([]float64, error) {
	if err := src.validate(); err != nil {
		return nil, err
	}
	for i, l := range ells {
		if !(l >= 0) || math.IsInf(l, 1) {
			return nil, fmt.Errorf("cosmology: invalid multipole ells[%d] = %v, want a finite ℓ ≥ 0", i, l)
		}
	}
	nodes := m.limberNodes(src)

	// Halofit coefficients, one search per node, each started from the
	// scale found at the previous redshift.
	if m.s.Nonlinear == Halofit {
		lnR := math.NaN()
		for i := range nodes {
			if nodes[i].zeroWeight {
				continue
			}
			nodes[i].halofit, lnR = m.halofitAt(nodes[i].z, lnR)
		}
	} else {
		for i := range nodes {
			d := m.Growth(nodes[i].z)
			nodes[i].halofit = halofit{linear: true, growth2: d * d}
		}
	}

	cl := make([]float64, len(ells))
	for j, l := range ells {
		var sum float64
		for i := range nodes {
			nd := &nodes[i]
			if nd.zeroWeight {
				continue
			}
			k := (l + 0.5) / nd.chi
			p := m.nonlinearPowerWith(&nd.halofit, k)
			sum += nd.weight * nd.dChiDz * nd.qOverChi * nd.qOverChi * p
		}
		cl[j] = sum
	}
	return cl, nil
}

// limberNodes returns the quadrature nodes of the Limber integral with
// their distances and lensing efficiencies.
func (m *Model) limberNodes(src Source) []limberNode {
	zMax := src.MaxRedshift()
	panels := m.s.limberPanels()

	// Panel edges: geometric from 1e-3 z_max up, after a first panel
	// [0, 1e-3 z_max]; for n(z) also the table nodes, where n has kinks.
	edges := panelEdges(zMax, panels)
	if src.zs != nil {
		edges = mergeEdges(edges, src.zs)
	}

	gl := newGaussLegendre(limberOrder)
	nodes := make([]limberNode, 0, (len(edges)-1)*limberOrder)
	for p := 1; p < len(edges); p++ {
		a, b := edges[p-1], edges[p]
		for i, x := range gl.x {
			z := a + (b-a)*x
			nodes = append(nodes, limberNode{
				z:      z,
				weight: gl.w[i] * (b - a),
				chi:    m.ComovingDistanceMpcH(z),
				dChiDz: HubbleDistanceMpcH / m.E(z),
			})
		}
	}

	// Lensing efficiency divided by χ:
	// (3/2) Ω_m (H0/c)² (1+z) × [inner integral].
	prefactor := 1.5 * m.omegaM / (HubbleDistanceMpcH * HubbleDistanceMpcH)
	if src.zs == nil {
		chiS := m.ComovingDistanceMpcH(src.z)
		for i := range nodes {
			nd := &nodes[i]
			nd.qOverChi = prefactor * (1 + nd.z) * (chiS - nd.chi) / chiS
		}
		return nodes
	}
	m.sourceEfficiency(src, nodes, edges, gl, prefactor)
	return nodes
}

// sourceEfficiency sets q/χ at the nodes for a tabulated n(z). The inner
// integral at a node z_j, ∫_{z_j}^{z_max} dz′ n(z′) (1 − χ_j/χ(z′)), splits
// into whole panels above the node's panel, whose ∫n and ∫n/χ are summed
// from the top, and the rest of the node's own panel, integrated with its
// own Gauss–Legendre rule.
func (m *Model) sourceEfficiency(src Source, nodes []limberNode, edges []float64, gl gaussLegendre, prefactor float64) {
	panels := len(edges) - 1
	var sumN, sumNOverChi float64
	above := make([][2]float64, panels) // ∫n and ∫n/χ over the panels above p
	for p := panels - 1; p >= 0; p-- {
		above[p] = [2]float64{sumN, sumNOverChi}
		for i := range gl.x {
			nd := nodes[p*limberOrder+i]
			n := src.density(nd.z)
			sumN += nd.weight * n
			sumNOverChi += nd.weight * n / nd.chi
		}
	}
	for p := range panels {
		b := edges[p+1]
		for i := range gl.x {
			nd := &nodes[p*limberOrder+i]
			inner := above[p][0] - nd.chi*above[p][1]
			inner += gl.integrate(func(z float64) float64 {
				return src.density(z) * (1 - nd.chi/m.ComovingDistanceMpcH(z))
			}, nd.z, b)
			if inner <= 0 {
				nd.zeroWeight = true
				continue
			}
			nd.qOverChi = prefactor * (1 + nd.z) * inner
		}
	}
}

// firstPanelFraction is the upper edge of the first Limber panel as a
// fraction of the highest source redshift.
const firstPanelFraction = 1e-3

// panelEdges returns the edges of the Limber panels on [0, zMax]: one
// panel [0, 1e-3 zMax], then panels−1 panels of equal width in ln z.
func panelEdges(zMax float64, panels int) []float64 {
	if panels == 1 {
		return []float64{0, zMax}
	}
	edges := make([]float64, panels+1)
	lo := firstPanelFraction * zMax
	edges[1] = lo
	for i := 2; i < panels; i++ {
		edges[i] = lo * math.Pow(zMax/lo, float64(i-1)/float64(panels-1))
	}
	edges[panels] = zMax
	return edges
}

// mergeEdges returns the sorted union of edges and the table redshifts
// zs, which lie in [0, edges[len-1]], without panels narrower than 1e-9
// of the range.
func mergeEdges(edges, zs []float64) []float64 {
	all := append(append([]float64(nil), edges...), zs...)
	sort.Float64s(all)
	tol := 1e-9 * all[len(all)-1]
	out := all[:1]
	for _, z := range all[1:] {
		if z-out[len(out)-1] > tol {
			out = append(out, z)
		}
	}
	return out
}
