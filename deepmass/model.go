package deepmass

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/powerspec"
	"github.com/skyinv/skyinv/score"
	"github.com/skyinv/skyinv/solvers"
)

// InputWiener names the only input that models take so far: the Wiener
// filter of the shear, with the mask as a second channel.
const InputWiener = "wiener"

// infoKey is the key of Info in the notes of a weights file.
const infoKey = "deepmass"

// Info is the description a model stores beside its network weights: how
// its input is made from shear data, and how it was trained.
type Info struct {
	// Input is the kind of input map, InputWiener.
	Input string `json:"input"`

	// PixelArcmin is the pixel size of the training maps. A model applies
	// to maps of this pixel size only.
	PixelArcmin float64 `json:"pixel_arcmin"`

	// Ell and Cl are the power spectrum of the Wiener filter's Gaussian
	// prior, C_ℓ per steradian, interpolated as cosmology.Table does.
	Ell []float64 `json:"ell"`
	Cl  []float64 `json:"cl"`

	// WienerTol and WienerMaxIter are the settings of solvers.WienerCG
	// for the input map.
	WienerTol     float64 `json:"wiener_tol"`
	WienerMaxIter int     `json:"wiener_max_iter"`

	// Scale multiplies convergence before it enters the network, and
	// divides the network's output, so the network works with values of
	// order one.
	Scale float64 `json:"scale"`

	// Training describes the simulations and the training run.
	Training TrainingInfo `json:"training"`
}

// TrainingInfo records the simulations a model was trained on and the
// losses at the end of training.
type TrainingInfo struct {
	Maps           int       `json:"maps"`
	ValidationMaps int       `json:"validation_maps"`
	Shifts         []float64 `json:"lognormal_shifts"`
	Crop           int       `json:"crop"`
	Seconds        float64   `json:"seconds"`

	// ValidationLoss is the mean squared error of the model's map on the
	// validation maps, and WienerLoss that of the Wiener filter alone,
	// both in units of Scale² (convergence² × Scale²).
	ValidationLoss float64 `json:"validation_loss"`
	WienerLoss     float64 `json:"wiener_loss"`
}

// check returns an error unless info describes a model this package can
// apply.
func (info *Info) check() error {
	switch {
	case info.Input != InputWiener:
		return fmt.Errorf("input %q is not supported: this version takes %q", info.Input, InputWiener)
	case !(info.PixelArcmin > 0) || math.IsInf(info.PixelArcmin, 0):
		return fmt.Errorf("invalid pixel size %v arcmin", info.PixelArcmin)
	case !(info.Scale > 0) || math.IsInf(info.Scale, 0):
		return fmt.Errorf("invalid scale %v", info.Scale)
	case !(info.WienerTol > 0 && info.WienerTol < 1) || info.WienerMaxIter < 1:
		return fmt.Errorf("invalid Wiener filter settings (tolerance %v, %d iterations)", info.WienerTol, info.WienerMaxIter)
	}
	if _, err := cosmology.NewTable(info.Ell, info.Cl); err != nil {
		return fmt.Errorf("prior spectrum: %w", err)
	}
	return nil
}

// Model is a DeepMass estimator: a U-Net that maps the Wiener filter of a
// shear field, and the mask, to the posterior mean of the convergence.
// The network predicts the difference between the posterior mean and the
// Wiener filter, so Estimate returns the Wiener filter plus that
// correction.
//
// A Model must not be used by two goroutines at once.
type Model struct {
	Net  *score.UNet
	Info Info

	table *cosmology.Table
}

// New returns a model of net and info. It returns an error if info is
// invalid or net does not take two input channels and give one output
// channel.
func New(net *score.UNet, info Info) (*Model, error) {
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	if cfg := net.Config(); cfg.InChannels != 2 || cfg.OutChannels != 1 {
		return nil, fmt.Errorf("deepmass: the network maps %d channels to %d; a DeepMass model maps 2 (the Wiener filter and the mask) to 1", cfg.InChannels, cfg.OutChannels)
	}
	table, _ := cosmology.NewTable(info.Ell, info.Cl)
	return &Model{Net: net, Info: info, table: table}, nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	net, meta, err := score.LoadWeights(path)
	if err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	return fromMeta(net, meta, path)
}

// Read reads a model written by Save from size bytes of data, such as a
// file embedded in a program. name identifies the data in errors.
func Read(data []byte, name string) (*Model, error) {
	net, meta, err := score.ReadWeights(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	return fromMeta(net, meta, name)
}

func fromMeta(net *score.UNet, meta score.Meta, name string) (*Model, error) {
	var info Info
	found, err := meta.Note(infoKey, &info)
	if !found {
		return nil, fmt.Errorf("deepmass: %s contains U-Net weights but no DeepMass settings, so it is not a DeepMass model: train one with massmap deepmass train", name)
	}
	if err != nil {
		return nil, fmt.Errorf("deepmass: %s: corrupt DeepMass settings: %w", name, err)
	}
	m, err := New(net, info)
	if err != nil {
		return nil, fmt.Errorf("deepmass: %s: %s", name, strings.TrimPrefix(err.Error(), "deepmass: "))
	}
	return m, nil
}

// Save writes the model to path with meta, adding Info to meta's notes.
// It never leaves a partial file, and it refuses to replace an existing
// file unless overwrite is true.
func (m *Model) Save(path string, overwrite bool, meta score.Meta) error {
	meta, err := meta.WithNote(infoKey, m.Info)
	if err != nil {
		return err
	}
	return score.SaveWeights(path, overwrite, m.Net, meta)
}

// Data is a binned shear field to reconstruct.
type Data struct {
	NX, NY int

	// PixelArcmin is the pixel size. It must match the model's.
	PixelArcmin float64

	// G1 and G2 are the mean shear per pixel, NoiseVar its noise variance
	// per component, +Inf in pixels without galaxies.
	G1, G2, NoiseVar []float64

	// PixelFrame selects the array convention for G2, as in package
	// kaiser.
	PixelFrame bool
}

// Result is a DeepMass reconstruction.
type Result struct {
	// Mean is the DeepMass posterior mean of κ_E, NX × NY values.
	Mean []float64

	// Wiener is the Wiener filter, the network's input.
	Wiener []float64

	// WienerResult reports the Wiener filter's solver.
	WienerResult solvers.Result
}

// pixelTolerance is the relative difference allowed between the pixel size
// of the data and that of the model.
const pixelTolerance = 1e-3

// Estimate returns the DeepMass map of d. The shear of pixels without
// galaxies is ignored. Estimate returns an error if the pixel size differs
// from the model's by more than 0.1%, or if the shear contains NaN or
// infinite values in pixels with data. A grid that the network cannot
// take gives a *score.SizeError, which names the nearest sizes it can.
func (m *Model) Estimate(d Data) (*Result, error) {
	n := d.NX * d.NY
	switch {
	case d.NX < 1 || d.NY < 1:
		return nil, fmt.Errorf("deepmass: invalid grid %d × %d", d.NX, d.NY)
	case len(d.G1) != n || len(d.G2) != n || len(d.NoiseVar) != n:
		return nil, fmt.Errorf("deepmass: shear maps of %d and %d values and a noise map of %d values for a %d × %d grid", len(d.G1), len(d.G2), len(d.NoiseVar), d.NX, d.NY)
	case math.Abs(d.PixelArcmin/m.Info.PixelArcmin-1) > pixelTolerance:
		return nil, fmt.Errorf("deepmass: the map has %g-arcmin pixels but the model was trained on %g-arcmin pixels: bin the catalogue with --pixel-arcmin %g or train a model for this pixel size", d.PixelArcmin, m.Info.PixelArcmin, m.Info.PixelArcmin)
	}
	if err := m.Net.Check(d.NY, d.NX); err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	for i, v := range d.NoiseVar {
		if math.IsInf(v, 1) {
			continue
		}
		if g1, g2 := d.G1[i], d.G2[i]; math.IsNaN(g1) || math.IsInf(g1, 0) || math.IsNaN(g2) || math.IsInf(g2, 0) {
			return nil, fmt.Errorf("deepmass: the shear at pixel (x=%d, y=%d) is (%v, %v): every pixel with data needs a finite shear", i%d.NX, i/d.NX, g1, g2)
		}
	}

	// The Wiener filter, with zero shear where there are no galaxies, so
	// that a NaN there cannot spread.
	g1, g2 := slices.Clone(d.G1), slices.Clone(d.G2)
	for i, v := range d.NoiseVar {
		if math.IsInf(v, 1) {
			g1[i], g2[i] = 0, 0
		}
	}
	problem := solvers.WienerProblem{
		NX: d.NX, NY: d.NY,
		Power:      powerspec.PowerMap(m.table.At, d.NX, d.NY, d.PixelArcmin/60*math.Pi/180),
		NoiseVar:   d.NoiseVar,
		PixelFrame: d.PixelFrame,
	}
	wf, res, err := solvers.WienerCG(problem, g1, g2, solvers.Settings{Tol: m.Info.WienerTol, MaxIter: m.Info.WienerMaxIter})
	if err != nil {
		return nil, fmt.Errorf("deepmass: Wiener filter: %w", err)
	}

	// The network's correction.
	in := nn.NewTensor(1, 2, d.NY, d.NX)
	out := nn.NewTensor(1, 1, d.NY, d.NX)
	fillInput(in.Plane(0, 0), in.Plane(0, 1), wf, d.NoiseVar, m.Info.Scale)
	if err := m.Net.Forward(out, in, []float32{0}); err != nil {
		return nil, fmt.Errorf("deepmass: %w", err)
	}
	mean := make([]float64, n)
	for i, v := range out.Data {
		mean[i] = wf[i] + float64(v)/m.Info.Scale
	}
	return &Result{Mean: mean, Wiener: wf, WienerResult: res}, nil
}

// fillInput writes the network's two input planes: the scaled Wiener
// filter and the mask, 1 where the noise variance is finite.
func fillInput(wfPlane, maskPlane []float32, wf, noiseVar []float64, scale float64) {
	for i, v := range wf {
		wfPlane[i] = float32(v * scale)
		maskPlane[i] = 0
		if !math.IsInf(noiseVar[i], 1) {
			maskPlane[i] = 1
		}
	}
}
