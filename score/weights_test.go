package score_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

var smallConfig = score.UNetConfig{Depth: 1, BaseChannels: 4, GroupNorm: true, Activation: nn.SiLU}

func forward(t *testing.T, net *score.UNet, in *nn.Tensor, sigma []float32) *nn.Tensor {
	t.Helper()
	out := nn.NewTensor(in.N, net.Config().OutChannels, in.H, in.W)
	if err := net.Forward(out, in, sigma); err != nil {
		t.Fatal(err)
	}
	return out
}

func savedWeights(t *testing.T) (path string, net *score.UNet, meta score.Meta) {
	t.Helper()
	net = score.NewUNet(smallConfig, rand.New(rand.NewPCG(5, 6)))
	meta = score.Meta{
		Training: score.TrainingSettings{Adam: score.DefaultAdamConfig(), Loss: "L2", Steps: 100, BatchSize: 8, Seed: 42},
		Notes:    map[string]string{"data": "Gaussian fields"},
	}
	path = filepath.Join(t.TempDir(), "unet.weights")
	if err := score.SaveWeights(path, false, net, meta); err != nil {
		t.Fatal(err)
	}
	return path, net, meta
}

func TestWeightsRoundTrip(t *testing.T) {
	path, net, meta := savedWeights(t)
	loaded, loadedMeta, err := score.LoadWeights(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Config() != net.Config() {
		t.Errorf("config = %+v, want %+v", loaded.Config(), net.Config())
	}
	if !reflect.DeepEqual(loadedMeta, meta) {
		t.Errorf("meta = %+v, want %+v", loadedMeta, meta)
	}

	rng := rand.New(rand.NewPCG(7, 8))
	in := randomTensor(rng, 2, 1, 8, 8)
	sigma := []float32{0.1, 1}
	want := forward(t, net, in, sigma)
	got := forward(t, loaded, in, sigma)
	for i := range want.Data {
		if got.Data[i] != want.Data[i] {
			t.Fatalf("output[%d] = %v after loading, want %v", i, got.Data[i], want.Data[i])
		}
	}
}

func TestSaveWeightsOverwrite(t *testing.T) {
	path, net, meta := savedWeights(t)
	if err := score.SaveWeights(path, false, net, meta); !errors.Is(err, atomicfile.ErrExists) {
		t.Errorf("second save without overwrite: error %v, want one wrapping atomicfile.ErrExists", err)
	}
	if err := score.SaveWeights(path, true, net, meta); err != nil {
		t.Errorf("second save with overwrite: %v", err)
	}
}

// rewrite loads the weights file at path, applies edit to its bytes and
// writes the result to a new file, whose path it returns.
func rewrite(t *testing.T, path string, edit func([]byte) []byte) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "edited.weights")
	if err := os.WriteFile(out, edit(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// editHeader decodes the JSON header of a weights file, applies edit and
// encodes it again with the new length.
func editHeader(t *testing.T, edit func(map[string]any)) func([]byte) []byte {
	return func(data []byte) []byte {
		n := binary.LittleEndian.Uint32(data[12:])
		var header map[string]any
		if err := json.Unmarshal(data[16:16+n], &header); err != nil {
			t.Fatal(err)
		}
		edit(header)
		newHeader, err := json.Marshal(header)
		if err != nil {
			t.Fatal(err)
		}
		out := append([]byte(nil), data[:16]...)
		binary.LittleEndian.PutUint32(out[12:], uint32(len(newHeader)))
		out = append(out, newHeader...)
		return append(out, data[16+n:]...)
	}
}

func firstParameter(header map[string]any) map[string]any {
	return header["parameters"].([]any)[0].(map[string]any)
}

func TestLoadWeightsErrors(t *testing.T) {
	path, _, _ := savedWeights(t)
	cases := []struct {
		name string
		edit func([]byte) []byte
		want error
	}{
		{"wrong magic", func(b []byte) []byte { b[0] = 'X'; return b }, score.ErrNotWeights},
		{"empty file", func(b []byte) []byte { return nil }, score.ErrNotWeights},
		{"newer version", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 2); return b }, score.ErrUnsupportedVersion},
		{"version zero", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 0); return b }, score.ErrUnsupportedVersion},
		{"truncated prefix", func(b []byte) []byte { return b[:12] }, score.ErrTruncated},
		{"truncated header", func(b []byte) []byte { return b[:40] }, score.ErrTruncated},
		{"truncated values", func(b []byte) []byte { return b[:len(b)-1] }, score.ErrTruncated},
		{"trailing bytes", func(b []byte) []byte { return append(b, 0, 0, 0, 0) }, score.ErrCorrupt},
		{"huge header length", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<31); return b }, score.ErrCorrupt},
		{"malformed header", func(b []byte) []byte { b[16] = '['; return b }, score.ErrCorrupt},
		{"unknown activation", editHeader(t, func(h map[string]any) {
			h["config"].(map[string]any)["activation"] = "tanh"
		}), score.ErrCorrupt},
		{"renamed parameter", editHeader(t, func(h map[string]any) {
			firstParameter(h)["name"] = "enc0.block0.conv.kernel"
		}), score.ErrMismatch},
		{"transposed shape", editHeader(t, func(h map[string]any) {
			p := firstParameter(h)
			s := p["shape"].([]any)
			s[0], s[1] = s[1], s[0]
		}), score.ErrMismatch},
		{"wrong base channels", editHeader(t, func(h map[string]any) {
			h["config"].(map[string]any)["base_channels"] = 8
		}), score.ErrMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bad := rewrite(t, path, c.edit)
			net, _, err := score.LoadWeights(bad)
			if !errors.Is(err, c.want) {
				t.Errorf("error %v, want one wrapping %v", err, c.want)
			}
			if net != nil {
				t.Error("LoadWeights returned a network with its error")
			}
		})
	}
}

func TestLoadCheckpointNeedsOptimizer(t *testing.T) {
	path, _, _ := savedWeights(t)
	if _, _, _, err := score.LoadCheckpoint(path); !errors.Is(err, score.ErrCorrupt) {
		t.Errorf("error %v, want one wrapping ErrCorrupt", err)
	}
}

// trainSteps runs the given number of Adam steps on the loss
// ½‖net(in, sigma) − target‖².
func trainSteps(t *testing.T, net *score.UNet, opt *score.Adam, in, target *nn.Tensor, sigma []float32, steps int) {
	t.Helper()
	out := nn.NewTensor(target.N, target.C, target.H, target.W)
	grad := nn.NewTensor(target.N, target.C, target.H, target.W)
	for range steps {
		if err := net.Forward(out, in, sigma); err != nil {
			t.Fatal(err)
		}
		for i := range out.Data {
			grad.Data[i] = out.Data[i] - target.Data[i]
		}
		net.ZeroGrad()
		net.Backward(nil, grad)
		opt.Step()
	}
}

func TestCheckpointResumesExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	in := randomTensor(rng, 2, 1, 8, 8)
	target := randomTensor(rng, 2, 1, 8, 8)
	sigma := []float32{0.5, 0.5}
	cfg := score.DefaultAdamConfig()
	cfg.WeightDecay = 0.01
	cfg.Schedule = score.Schedule{WarmupSteps: 2, DecaySteps: 5, MinRate: 1e-5}

	// Four steps straight through.
	straight := score.NewUNet(smallConfig, rand.New(rand.NewPCG(11, 12)))
	trainSteps(t, straight, score.NewAdam(straight.Parameters(), cfg), in, target, sigma, 4)

	// Two steps, a checkpoint, and two steps of the loaded copy.
	first := score.NewUNet(smallConfig, rand.New(rand.NewPCG(11, 12)))
	opt := score.NewAdam(first.Parameters(), cfg)
	trainSteps(t, first, opt, in, target, sigma, 2)
	path := filepath.Join(t.TempDir(), "run.checkpoint")
	if err := score.SaveCheckpoint(path, false, first, opt, score.Meta{}); err != nil {
		t.Fatal(err)
	}
	resumed, resumedOpt, _, err := score.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if resumedOpt.Steps() != 2 {
		t.Errorf("restored step count %d, want 2", resumedOpt.Steps())
	}
	if resumedOpt.Config() != cfg {
		t.Errorf("restored optimiser config %+v, want %+v", resumedOpt.Config(), cfg)
	}
	trainSteps(t, resumed, resumedOpt, in, target, sigma, 2)

	want := straight.Parameters()
	for i, p := range resumed.Parameters() {
		for j := range p.Value {
			if p.Value[j] != want[i].Value[j] {
				t.Fatalf("%s[%d] = %v after resuming, want %v", p.Name, j, p.Value[j], want[i].Value[j])
			}
		}
	}

	// A checkpoint is also a weights file.
	if _, _, err := score.LoadWeights(path); err != nil {
		t.Errorf("LoadWeights of a checkpoint: %v", err)
	}
}

func TestSaveCheckpointForeignOptimizer(t *testing.T) {
	net := score.NewUNet(smallConfig, rand.New(rand.NewPCG(1, 1)))
	other := score.NewUNet(smallConfig, rand.New(rand.NewPCG(1, 1)))
	opt := score.NewAdam(other.Parameters(), score.DefaultAdamConfig())
	defer func() {
		if recover() == nil {
			t.Error("SaveCheckpoint accepted the optimiser of another network")
		}
	}()
	score.SaveCheckpoint(filepath.Join(t.TempDir(), "run.checkpoint"), false, net, opt, score.Meta{})
}

func TestMetaNoteRoundTrip(t *testing.T) {
	type settings struct {
		Scale float64 `json:"scale"`
	}
	meta, err := score.Meta{Notes: map[string]string{"other": "kept"}}.WithNote("mine", settings{Scale: 2.5})
	if err != nil {
		t.Fatal(err)
	}
	var got settings
	found, err := meta.Note("mine", &got)
	if !found || err != nil || got.Scale != 2.5 {
		t.Errorf("Note returned %v, %v, %+v, want true, nil, {2.5}", found, err, got)
	}
	if meta.Notes["other"] != "kept" {
		t.Error("WithNote dropped another note")
	}
	if found, _ := meta.Note("absent", &got); found {
		t.Error("Note found an absent key")
	}
	if _, err := meta.WithNote("bad", settings{Scale: math.NaN()}); err == nil {
		t.Error("WithNote encoded a NaN without an error")
	}
}
