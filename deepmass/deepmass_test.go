package deepmass_test

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/kaiser"
	"github.com/skyinv/skyinv/score"
)

// A small survey: 32 × 32 pixels of 2 arcmin, a disc of noisy data and an
// empty corner region, and a power-law spectrum.
const (
	side        = 32
	pixelArcmin = 2.0
)

func smallSurvey() (noiseVar, ell, cl []float64) {
	noiseVar = make([]float64, side*side)
	for y := range side {
		for x := range side {
			noiseVar[y*side+x] = 1e-4 * (1 + float64(x)/side)
			if x > 24 && y > 24 {
				noiseVar[y*side+x] = math.Inf(1)
			}
		}
	}
	for i := range 30 {
		l := 10 * math.Pow(10, float64(i)/7)
		ell = append(ell, l)
		cl = append(cl, 1e-9*math.Pow(l/1000, -1.2))
	}
	return noiseVar, ell, cl
}

func smallConfig(maps int) deepmass.SimConfig {
	noiseVar, ell, cl := smallSurvey()
	return deepmass.SimConfig{
		NX: side, NY: side, PixelArcmin: pixelArcmin, NoiseVar: noiseVar, Ell: ell, Cl: cl,
		Shifts: []float64{0, 0.01}, Maps: maps, ValidationMaps: 2, Seed: 3,
	}
}

var (
	smallOnce  sync.Once
	smallSim   *deepmass.Simulation
	smallModel *deepmass.Model
	smallErr   error
)

// smallTrained returns a simulation of 24 maps and a model trained on it
// for 30 steps, shared by the tests.
func smallTrained(t *testing.T) (*deepmass.Simulation, *deepmass.Model) {
	t.Helper()
	smallOnce.Do(func() {
		adam := score.DefaultAdamConfig()
		adam.LearningRate = 3e-3
		smallSim, smallErr = deepmass.Simulate(smallConfig(24))
		if smallErr != nil {
			return
		}
		smallModel, smallErr = deepmass.Train(smallSim, deepmass.TrainConfig{
			Net: score.UNetConfig{Depth: 2, BaseChannels: 8}, Crop: 16, Batch: 4, Steps: 150,
			Adam: adam, Seed: 5, ValidateEvery: 50,
		})
	})
	if smallErr != nil {
		t.Fatal(smallErr)
	}
	return smallSim, smallModel
}

// shearData simulates a noisy shear field of the small survey.
func shearData(t *testing.T, seed uint64) deepmass.Data {
	t.Helper()
	noiseVar, _, _ := smallSurvey()
	rng := rand.New(rand.NewPCG(seed, 1))
	kappa := make([]float64, side*side)
	for i := range kappa {
		kappa[i] = 0.02 * rng.NormFloat64()
	}
	g1, g2 := kappaShear(t, kappa)
	for i, v := range noiseVar {
		if math.IsInf(v, 1) {
			g1[i], g2[i] = 0, 0
			continue
		}
		g1[i] += math.Sqrt(v) * rng.NormFloat64()
		g2[i] += math.Sqrt(v) * rng.NormFloat64()
	}
	return deepmass.Data{NX: side, NY: side, PixelArcmin: pixelArcmin, G1: g1, G2: g2, NoiseVar: noiseVar}
}

func kappaShear(t *testing.T, kappa []float64) (g1, g2 []float64) {
	t.Helper()
	tr, err := kaiser.New(side, side, kaiser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 = make([]float64, len(kappa)), make([]float64, len(kappa))
	tr.Shear(g1, g2, kappa, nil)
	return g1, g2
}

func TestUntrainedModelReturnsWiener(t *testing.T) {
	sim, err := deepmass.Simulate(smallConfig(2))
	if err != nil {
		t.Fatal(err)
	}
	m, err := deepmass.Train(sim, deepmass.TrainConfig{Net: score.UNetConfig{Depth: 2, BaseChannels: 4}, Batch: 1, Adam: score.DefaultAdamConfig()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Estimate(shearData(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Mean, res.Wiener) {
		t.Error("the untrained model's map differs from its Wiener filter input")
	}
	var power float64
	for _, v := range res.Wiener {
		power += v * v
	}
	if !(power > 0) {
		t.Error("the Wiener filter is zero")
	}
}

func TestTrainingLowersValidationLoss(t *testing.T) {
	sim, m := smallTrained(t)
	ti := m.Info.Training
	t.Logf("validation loss %.4f, Wiener filter alone %.4f", ti.ValidationLoss, ti.WienerLoss)
	if !(ti.WienerLoss > 0 && ti.WienerLoss < 1) {
		t.Errorf("Wiener loss %v in prior units, want in (0, 1): the data should explain part of the prior variance", ti.WienerLoss)
	}
	if !(ti.ValidationLoss < ti.WienerLoss) {
		t.Errorf("validation loss %v is not below the Wiener filter's %v", ti.ValidationLoss, ti.WienerLoss)
	}
	if got := sim.WienerLoss(); got != ti.WienerLoss {
		t.Errorf("Info records Wiener loss %v, the simulation gives %v", ti.WienerLoss, got)
	}
	if ti.Maps != 24 || ti.ValidationMaps != 2 || ti.Crop != 16 {
		t.Errorf("training info %+v does not record 24 maps, 2 validation maps and crop 16", ti)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	_, m := smallTrained(t)
	path := filepath.Join(t.TempDir(), "model.skyunet")
	if err := m.Save(path, false, score.Meta{Notes: map[string]string{"who": "test"}}); err != nil {
		t.Fatal(err)
	}
	if err := m.Save(path, false, score.Meta{}); err == nil {
		t.Error("Save replaced an existing file without overwrite")
	}
	back, err := deepmass.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := shearData(t, 2)
	want, err := m.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := back.Estimate(d)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Mean, want.Mean) {
		t.Error("the loaded model gives another map")
	}
	if back.Info.Scale != m.Info.Scale || !slices.Equal(back.Info.Cl, m.Info.Cl) || back.Info.PixelArcmin != pixelArcmin {
		t.Errorf("loaded info %+v differs from saved %+v", back.Info, m.Info)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fromBytes, err := deepmass.Read(data, "bytes")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := fromBytes.Estimate(d); !slices.Equal(got.Mean, want.Mean) {
		t.Error("the model read from bytes gives another map")
	}
}

func TestEstimateErrors(t *testing.T) {
	_, m := smallTrained(t)
	good := shearData(t, 3)

	wrongPixel := good
	wrongPixel.PixelArcmin = 1
	if _, err := m.Estimate(wrongPixel); err == nil || !strings.Contains(err.Error(), "--pixel-arcmin 2") {
		t.Errorf("pixel size mismatch: error %v, want one suggesting --pixel-arcmin 2", err)
	}

	// 28 pixels is not a multiple of 2^Depth = 4; 28 itself is, so use 30.
	const odd = 30
	small := deepmass.Data{NX: odd, NY: odd, PixelArcmin: pixelArcmin,
		G1: make([]float64, odd*odd), G2: make([]float64, odd*odd), NoiseVar: make([]float64, odd*odd)}
	for i := range small.NoiseVar {
		small.NoiseVar[i] = 1e-4
	}
	_, err := m.Estimate(small)
	var se *score.SizeError
	if !errors.As(err, &se) {
		t.Fatalf("30 × 30 map: error %v, want a *score.SizeError", err)
	}
	if !strings.Contains(err.Error(), "28") || !strings.Contains(err.Error(), "32") {
		t.Errorf("size error %q does not name the nearest sizes 28 and 32", err)
	}

	nan := good
	nan.G1 = slices.Clone(good.G1)
	nan.G1[5*side+7] = math.NaN()
	if _, err := m.Estimate(nan); err == nil || !strings.Contains(err.Error(), "(x=7, y=5)") {
		t.Errorf("NaN shear: error %v, want one naming pixel (x=7, y=5)", err)
	}

	// NaN where there are no galaxies is ignored.
	masked := good
	masked.G2 = slices.Clone(good.G2)
	masked.G2[30*side+30] = math.NaN()
	masked.G1 = slices.Clone(good.G1)
	masked.G1[30*side+30] = 0
	if _, err := m.Estimate(masked); err != nil {
		t.Errorf("NaN shear in an empty pixel: %v", err)
	}

	short := good
	short.G2 = good.G2[:10]
	if _, err := m.Estimate(short); err == nil {
		t.Error("shear maps of the wrong length gave no error")
	}
}

func TestLoadRejectsOtherFiles(t *testing.T) {
	_, m := smallTrained(t)
	dir := t.TempDir()

	// U-Net weights without the DeepMass description.
	plain := filepath.Join(dir, "plain.skyunet")
	if err := score.SaveWeights(plain, false, m.Net, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := deepmass.Load(plain); err == nil || !strings.Contains(err.Error(), "not a DeepMass model") {
		t.Errorf("plain weights: error %v, want one saying it is not a DeepMass model", err)
	}

	// A network of another architecture: one input channel.
	one := score.NewUNet(score.UNetConfig{Depth: 2, BaseChannels: 4, InChannels: 1}, rand.New(rand.NewPCG(1, 1)))
	if _, err := deepmass.New(one, m.Info); err == nil || !strings.Contains(err.Error(), "maps 1 channels to 1") {
		t.Errorf("one-channel network: error %v, want one naming its channels", err)
	}

	// A newer format version.
	good := filepath.Join(dir, "good.skyunet")
	if err := m.Save(good, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint32(data[8:], 99)
	newer := filepath.Join(dir, "newer.skyunet")
	if err := os.WriteFile(newer, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := deepmass.Load(newer); !errors.Is(err, score.ErrUnsupportedVersion) || !strings.Contains(err.Error(), newer) {
		t.Errorf("version 99: error %v, want one wrapping score.ErrUnsupportedVersion and naming the file", err)
	}

	// An input kind this version does not know.
	info := m.Info
	info.Input = "kaiser-squires"
	if _, err := deepmass.New(m.Net, info); err == nil || !strings.Contains(err.Error(), "kaiser-squires") {
		t.Errorf("unknown input: error %v", err)
	}
}

func TestSimulateReproducible(t *testing.T) {
	cfg := smallConfig(3)
	cfg.Workers = 1
	a, err := deepmass.Simulate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 3
	b, err := deepmass.Simulate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Train.Truth {
		if !slices.Equal(a.Train.Truth[i], b.Train.Truth[i]) || !slices.Equal(a.Train.Wiener[i], b.Train.Wiener[i]) {
			t.Errorf("map %d differs between 1 and 3 workers", i)
		}
	}
	for i, v := range a.Validation.Truth {
		for j, tr := range a.Train.Truth {
			if slices.Equal(v, tr) {
				t.Errorf("validation map %d equals training map %d", i, j)
			}
		}
	}
	// Map 1 is lognormal with shift 0.01, so no value is below -0.01.
	if m := slices.Min(a.Train.Truth[1]); m < -0.01 {
		t.Errorf("lognormal map minimum %v is below minus the shift", m)
	}
}

func TestSimulateErrors(t *testing.T) {
	cases := map[string]func(*deepmass.SimConfig){
		"no maps":         func(c *deepmass.SimConfig) { c.Maps = 0 },
		"short noise map": func(c *deepmass.SimConfig) { c.NoiseVar = c.NoiseVar[:5] },
		"negative noise":  func(c *deepmass.SimConfig) { c.NoiseVar[3] = -1 },
		"all masked": func(c *deepmass.SimConfig) {
			for i := range c.NoiseVar {
				c.NoiseVar[i] = math.Inf(1)
			}
		},
		"decreasing ell": func(c *deepmass.SimConfig) { c.Ell[3] = c.Ell[1] },
		"tiny shift":     func(c *deepmass.SimConfig) { c.Shifts = []float64{1e-6} },
		"zero pixel":     func(c *deepmass.SimConfig) { c.PixelArcmin = 0 },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := smallConfig(1)
			edit(&cfg)
			if _, err := deepmass.Simulate(cfg); err == nil {
				t.Error("no error")
			}
		})
	}
}

// TestTrainResumesExactly trains 8 steps at once, and 4 steps, a
// checkpoint file and 4 more steps: the two networks must be identical.
func TestTrainResumesExactly(t *testing.T) {
	sim, err := deepmass.Simulate(smallConfig(4))
	if err != nil {
		t.Fatal(err)
	}
	cfg := deepmass.TrainConfig{Net: score.UNetConfig{Depth: 2, BaseChannels: 4}, Crop: 16, Batch: 2, Adam: score.DefaultAdamConfig(), Seed: 9, ValidateEvery: 4}
	whole := cfg
	whole.Steps = 8
	want, err := deepmass.Train(sim, whole)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "checkpoint.skyunet")
	first := cfg
	first.Steps = 4
	first.Checkpoint = func(c deepmass.Checkpoint) error {
		return score.SaveCheckpoint(path, true, c.Net, c.Adam, score.Meta{})
	}
	if _, err := deepmass.Train(sim, first); err != nil {
		t.Fatal(err)
	}
	net, opt, _, err := score.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	second := cfg
	second.Steps = 4
	second.Resume = &deepmass.Checkpoint{Net: net, Adam: opt}
	got, err := deepmass.Train(sim, second)
	if err != nil {
		t.Fatal(err)
	}
	if opt.Steps() != 8 {
		t.Errorf("the resumed optimiser is at step %d, want 8", opt.Steps())
	}
	wp, gp := want.Net.Parameters(), got.Net.Parameters()
	for i := range wp {
		if !slices.Equal(wp[i].Value, gp[i].Value) {
			t.Errorf("parameter %s differs after resuming", wp[i].Name)
		}
	}
	if got.Info.Training.ValidationLoss != want.Info.Training.ValidationLoss {
		t.Errorf("validation loss %v after resuming, %v in one run", got.Info.Training.ValidationLoss, want.Info.Training.ValidationLoss)
	}
}

// TestLoadNamesArchitectureMismatch stores a one-channel network with a
// DeepMass description: Load must name the file and the channels.
func TestLoadNamesArchitectureMismatch(t *testing.T) {
	_, m := smallTrained(t)
	one := score.NewUNet(score.UNetConfig{Depth: 2, BaseChannels: 4, InChannels: 1}, rand.New(rand.NewPCG(1, 1)))
	good := filepath.Join(t.TempDir(), "good.skyunet")
	if err := m.Save(good, false, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	_, meta, err := score.LoadWeights(good)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "one.skyunet")
	if err := score.SaveWeights(path, false, one, meta); err != nil {
		t.Fatal(err)
	}
	_, err = deepmass.Load(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "maps 1 channels to 1") || strings.Contains(err.Error(), "%!") {
		t.Errorf("error %v, want one naming the file and the channels", err)
	}
}
