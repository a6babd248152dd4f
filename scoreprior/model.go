package scoreprior

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/skyinv/skyinv/cosmology"
	"github.com/skyinv/skyinv/fft"
	"github.com/skyinv/skyinv/internal/spin2"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/score"
)

// infoKey is the key of Info in the notes of a weights file.
const infoKey = "score-prior"

// Info is the description a model stores beside its network weights.
type Info struct {
	// PixelArcmin is the pixel size of the training maps; a model applies
	// to maps of this pixel size only.
	PixelArcmin float64 `json:"pixel_arcmin"`

	// Ell and Cl are the spectrum of the Gaussian part of the score.
	Ell []float64 `json:"ell"`
	Cl  []float64 `json:"cl"`

	// PixelWindow is true when the Gaussian part and the training maps
	// carry the window of square pixels (powerspec.PixelWindow). It is
	// false for models saved before the field existed.
	PixelWindow bool `json:"pixel_window,omitempty"`

	// Scale is the factor from convergence to network units, computed on
	// the training maps' grid.
	Scale float64 `json:"scale"`

	// SigmaMin and SigmaMax bound the noise levels of training, in
	// convergence units. The network is not trained outside them.
	SigmaMin float64 `json:"sigma_min"`
	SigmaMax float64 `json:"sigma_max"`

	// Size and Shifts describe the training maps.
	Size   int       `json:"size"`
	Shifts []float64 `json:"lognormal_shifts"`

	// ValidationLoss is the final loss on held-out batches, and
	// GaussianLoss that of the Gaussian score alone (a zero network).
	ValidationLoss float64 `json:"validation_loss"`
	GaussianLoss   float64 `json:"gaussian_loss"`
	Seconds        float64 `json:"seconds"`
}

func (info *Info) check() error {
	switch {
	case !(info.PixelArcmin > 0) || math.IsInf(info.PixelArcmin, 0):
		return fmt.Errorf("invalid pixel size %v arcmin", info.PixelArcmin)
	case !(info.Scale > 0) || math.IsInf(info.Scale, 0):
		return fmt.Errorf("invalid scale %v", info.Scale)
	case !(info.SigmaMin > 0) || !(info.SigmaMax >= info.SigmaMin):
		return fmt.Errorf("invalid noise range %v to %v", info.SigmaMin, info.SigmaMax)
	}
	if _, err := newTable(info.Ell, info.Cl); err != nil {
		return err
	}
	return nil
}

func newTable(ell, cl []float64) (*cosmology.Table, error) {
	t, err := cosmology.NewTable(ell, cl)
	if err != nil {
		return nil, fmt.Errorf("scoreprior: prior spectrum: %w", err)
	}
	return t, nil
}

// Model is a hybrid score prior: the score of a Gaussian prior with the
// spectrum of Info, plus a network's residual, as in Remy et al. (2023).
// At noise level σ, with U the network's output,
//
//	∇ log p_σ(x) = s_G(x, σ) + U(x, σ)/σ.
type Model struct {
	Net  *score.UNet
	Info Info
}

// New returns a model of net and info, or an error if info is invalid or
// the network does not map one channel to one.
func New(net *score.UNet, info Info) (*Model, error) {
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("scoreprior: %w", err)
	}
	if c := net.Config(); c.InChannels != 1 || c.OutChannels != 1 {
		return nil, fmt.Errorf("scoreprior: the network maps %d channels to %d; a score prior maps 1 to 1", c.InChannels, c.OutChannels)
	}
	return &Model{Net: net, Info: info}, nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	net, meta, err := score.LoadWeights(path)
	if err != nil {
		return nil, fmt.Errorf("scoreprior: %w", err)
	}
	return fromMeta(net, meta, path)
}

// Read reads a model written by Save from data; name identifies it in
// errors.
func Read(data []byte, name string) (*Model, error) {
	net, meta, err := score.ReadWeights(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		return nil, fmt.Errorf("scoreprior: %w", err)
	}
	return fromMeta(net, meta, name)
}

func fromMeta(net *score.UNet, meta score.Meta, name string) (*Model, error) {
	var info Info
	found, err := meta.Note(infoKey, &info)
	if !found {
		return nil, fmt.Errorf("scoreprior: %s contains U-Net weights but no score-prior settings, so it is not a score prior model: train one with massmap train-score", name)
	}
	if err != nil {
		return nil, fmt.Errorf("scoreprior: %s: corrupt score-prior settings: %w", name, err)
	}
	m, err := New(net, info)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// Save writes the model to path with meta, adding Info to its notes. It
// never leaves a partial file and replaces an existing one only if
// overwrite is true.
func (m *Model) Save(path string, overwrite bool, meta score.Meta) error {
	meta, err := meta.WithNote(infoKey, m.Info)
	if err != nil {
		return err
	}
	return score.SaveWeights(path, overwrite, m.Net, meta)
}

// Prior returns the model's score on nx × ny maps of the given pixel size
// for the sampler, with workers goroutines for the Gaussian part (0 means
// GOMAXPROCS). It returns an error if the pixel size differs from the
// model's by more than 0.1%.
func (m *Model) Prior(nx, ny int, pixelArcmin float64, workers int) (*Prior, error) {
	if math.Abs(pixelArcmin/m.Info.PixelArcmin-1) > 1e-3 {
		return nil, fmt.Errorf("scoreprior: the map has %g-arcmin pixels but the model was trained on %g-arcmin pixels", pixelArcmin, m.Info.PixelArcmin)
	}
	if nx < 1 || ny < 1 {
		return nil, fmt.Errorf("scoreprior: invalid map size %d × %d", nx, ny)
	}
	// The sampler's maps are periodic, so the network takes them wrapped
	// around by at least wrapMargin pixels on every side.
	mult := m.Net.Multiple()
	padW := (nx + 2*wrapMargin + mult - 1) / mult * mult
	padH := (ny + 2*wrapMargin + mult - 1) / mult * mult
	power, err := powerMap(m.Info.Ell, m.Info.Cl, nx, ny, pixelArcmin, m.Info.PixelWindow)
	if err != nil {
		return nil, err
	}
	g, err := sampling.NewGaussianPrior(power, nx, ny, workers)
	if err != nil {
		return nil, err
	}
	// The network never saw wavelengths longer than its training maps, so
	// its residual is kept at shorter ones only.
	fx, fy := spin2.Frequencies(nx), spin2.Frequencies(ny)
	keep := make([]float64, nx*ny)
	kc := 1 / float64(m.Info.Size)
	for y := range ny {
		for x := range nx {
			if math.Hypot(fx[x], fy[y]) >= kc {
				keep[y*nx+x] = 1
			}
		}
	}
	// The map pixel behind each pixel of the wrapped map.
	left, bottom := (padW-nx)/2, (padH-ny)/2
	wrap := make([]int, padW*padH)
	for py := range padH {
		y := ((py-bottom)%ny + ny) % ny
		for px := range padW {
			wrap[py*padW+px] = y*nx + ((px-left)%nx+nx)%nx
		}
	}
	return &Prior{model: m, gauss: g, power: power, nx: nx, ny: ny, padW: padW, padH: padH, left: left, bottom: bottom, wrap: wrap, keep: keep, filter: make([]float64, nx*ny), plan: fft.NewPlan2D(nx, ny), buf: make([]complex128, nx*ny)}, nil
}

// Prior is a Model's score on one grid, a sampling.Prior. It runs the
// network on all chains as one batch. It is not safe for concurrent use.
//
// The sampler's maps are periodic (its operators and Gaussian prior are
// diagonal in Fourier space), so the network takes each map wrapped around
// by at least 32 pixels on every side and its output is cropped back. With
// the zero padding of the network's convolutions at the map's edges
// instead, the residual grew without bound there and the chains diverged.
//
// The network's residual is filtered in Fourier space before it is added:
// wavelengths longer than the training maps are dropped, since the network
// never saw them. SetDamping can also scale it down at the scales where
// the prior's variance far exceeds σ².
type Prior struct {
	model  *Model
	gauss  *sampling.GaussianPrior
	power  []float64
	nx, ny int

	// padW × padH is the size of the wrapped map the network takes, with
	// the map's pixel (0, 0) at (left, bottom).
	padW, padH, left, bottom int
	wrap                     []int // the map pixel of each wrapped pixel

	in, out *nn.Tensor
	sigma   []float32

	damping float64

	keep   []float64 // 1 for the Fourier modes the network's residual keeps
	filter []float64 // the filter of the current noise level
	plan   *fft.Plan2D
	buf    []complex128
}

var _ sampling.Prior = (*Prior)(nil)

// SetDamping scales the residual by d σ²/S_k at the Fourier modes where
// the prior's variance S_k exceeds d σ²; 0, the default, leaves it whole.
// Damping makes the prior more Gaussian at the last levels, so it biases
// the posterior towards the Gaussian one. It is a guard for a model whose
// chains diverge; the embedded model does not need it.
func (p *Prior) SetDamping(d float64) { p.damping = d }

// LastLevel returns the noise level at which the sampler should stop for
// data whose typical noise variance per datum is typicalNoiseVar
// (sampling.Likelihood.TypicalNoiseVar): a tenth of the noise's standard
// deviation, or the model's smallest training level if that is larger.
// There sampling.Result's mean and standard deviation are within about 1%
// of the map's (see its Mean). The learned score, least reliable at the
// smallest noise levels, is then not used far below what the data resolve.
//
// NOTE: the embedded model is stable at this level on kappaTNG (0.0148)
// and COSMOS (0.0128) over 60 steps. The previous one, trained the same
// way without the pixel window, diverged at 0.0104; other data or models
// may need a higher level (massmap sample --sigma-min).
func (m *Model) LastLevel(typicalNoiseVar float64) float64 {
	return max(m.Info.SigmaMin, 0.1*math.Sqrt(typicalNoiseVar))
}

// Power returns the power map of the Gaussian part, for the sampler's
// preconditioner.
func (p *Prior) Power() []float64 { return p.power }

// Score writes s_G(x[c], σ) + U(x[c], σ)/σ into dst[c] for every chain.
func (p *Prior) Score(dst, x [][]float64, sigma float64) error {
	if err := p.gauss.Score(dst, x, sigma); err != nil {
		return err
	}
	if !(sigma > 0) {
		return fmt.Errorf("scoreprior: noise level %v: the network needs σ > 0", sigma)
	}
	chains := len(x)
	if p.in == nil || p.in.N != chains {
		p.in = nn.NewTensor(chains, 1, p.padH, p.padW)
		p.out = nn.NewTensor(chains, 1, p.padH, p.padW)
		p.sigma = make([]float32, chains)
	}
	info := p.model.Info
	c := inputScale(info.Scale, sigma)
	for k, xs := range x {
		plane := p.in.Plane(k, 0)
		for i, j := range p.wrap {
			plane[i] = float32(c * xs[j])
		}
		p.sigma[k] = conditioning(info.Scale, sigma)
	}
	if err := p.model.Net.Forward(p.out, p.in, p.sigma); err != nil {
		return fmt.Errorf("scoreprior: %w", err)
	}
	// The filter of this noise level, with the 1/σ of the residual and
	// the 1/N of the inverse transform.
	inv := 1 / sigma / float64(len(p.buf))
	s2 := sigma * sigma * float64(len(p.buf))
	for i, w := range p.keep {
		if pw := p.power[i]; pw > 0 && p.damping > 0 {
			w *= min(1, p.damping*s2/pw)
		}
		p.filter[i] = w * inv
	}

	for k := range x {
		plane := p.out.Plane(k, 0)
		for y := range p.ny {
			row := plane[(y+p.bottom)*p.padW+p.left:]
			for x := range p.nx {
				p.buf[y*p.nx+x] = complex(float64(row[x]), 0)
			}
		}
		p.plan.Forward(p.buf, p.buf)
		for i, w := range p.filter {
			p.buf[i] *= complex(w, 0)
		}
		p.plan.Inverse(p.buf, p.buf)
		for i, v := range p.buf {
			dst[k][i] += real(v)
		}
	}
	return nil
}

// TrainConfig sets a training run.
type TrainConfig struct {
	Pairs PairsConfig
	Net   score.UNetConfig // InChannels and OutChannels are set to 1
	Steps int
	Adam  score.AdamConfig
	Seed  uint64

	// ValidationBatches is the number of held-out batches, drawn with
	// other seeds; ValidateEvery is the number of steps between
	// validations (0: after the last only).
	ValidationBatches, ValidateEvery int

	Progress func(score.Progress)

	// Init, unless nil, is a model to fine-tune: training starts from a
	// copy of its weights instead of a new network, and Net is ignored. It
	// must have the pixel size and spectrum of Pairs.
	Init *Model

	// Baseline, unless nil, is called before the first step with the
	// validation loss of the Gaussian score alone.
	Baseline func(gaussianLoss float64)
}

// validationStream is XORed into the seed of the held-out batches.
const validationStream = 0x6a09e667f3bcc909

// Train fits a hybrid score prior by denoising score matching on the
// batches of cfg.Pairs. The network starts with a zero last layer, so the
// untrained prior is the Gaussian one. It returns the model and the
// validation losses of the Gaussian score alone and of the trained model.
func Train(cfg TrainConfig) (*Model, error) {
	start := time.Now()
	pairs, err := NewPairs(cfg.Pairs)
	if err != nil {
		return nil, err
	}
	valCfg := cfg.Pairs
	valCfg.Seed ^= validationStream
	val, err := NewPairs(valCfg)
	if err != nil {
		return nil, err
	}
	if cfg.ValidationBatches < 1 {
		return nil, fmt.Errorf("scoreprior: %d validation batches: at least 1 is needed", cfg.ValidationBatches)
	}

	netCfg := cfg.Net
	netCfg.InChannels, netCfg.OutChannels = 1, 1
	if cfg.Init != nil {
		netCfg = cfg.Init.Net.Config()
	}
	net := score.NewUNet(netCfg, rand.New(rand.NewPCG(cfg.Seed, 0)))
	if err := net.Check(cfg.Pairs.Size, cfg.Pairs.Size); err != nil {
		return nil, fmt.Errorf("scoreprior: training maps: %w", err)
	}
	if cfg.Init != nil {
		if err := checkInit(cfg.Init.Info, pairs.cfg); err != nil {
			return nil, err
		}
		from := cfg.Init.Net.Parameters()
		for i, p := range net.Parameters() {
			copy(p.Value, from[i].Value)
		}
	} else {
		// A zero last layer: the untrained prior is the Gaussian one.
		for _, p := range net.Parameters() {
			if p.Name == "final.conv.weight" || p.Name == "final.conv.bias" {
				clear(p.Value)
			}
		}
	}
	opt := score.NewAdam(net.Parameters(), cfg.Adam)

	// Held-out batches, kept as copies since Batch reuses its tensors.
	heldOut := score.NewHeldOut(val.Batch, cfg.ValidationBatches)
	var gaussLoss float64
	for i := range heldOut.Len() {
		_, target, _ := heldOut.Batch(i)
		gaussLoss += score.MeanSquaredError(nil, nn.NewTensor(target.N, 1, target.H, target.W), target)
	}
	gaussLoss /= float64(heldOut.Len())
	if cfg.Baseline != nil {
		cfg.Baseline(gaussLoss)
	}
	err = score.Train(net, pairs.Batch, opt, score.TrainConfig{
		Steps: cfg.Steps, Validate: func() float64 { return heldOut.Loss(net) }, ValidateEvery: cfg.ValidateEvery,
		Progress: cfg.Progress,
	})
	if err != nil {
		return nil, fmt.Errorf("scoreprior: %w", err)
	}
	if math.IsNaN(heldOut.LastLoss()) {
		// No validation ran, as with zero steps.
		heldOut.Loss(net)
	}
	pc := pairs.cfg
	return New(net, Info{
		PixelArcmin: pc.PixelArcmin, Ell: pc.Ell, Cl: pc.Cl, PixelWindow: pc.PixelWindow, Scale: pairs.Scale(),
		SigmaMin: pc.SigmaMin, SigmaMax: pc.SigmaMax, Size: pc.Size, Shifts: pc.Shifts,
		ValidationLoss: heldOut.LastLoss(), GaussianLoss: gaussLoss, Seconds: time.Since(start).Seconds(),
	})
}

// checkInit returns an error unless a model to fine-tune has the pixel size
// and spectrum of the training maps.
func checkInit(info Info, pc PairsConfig) error {
	if math.Abs(info.PixelArcmin/pc.PixelArcmin-1) > 1e-3 {
		return fmt.Errorf("scoreprior: the model to fine-tune has %g-arcmin pixels, the training maps %g-arcmin ones", info.PixelArcmin, pc.PixelArcmin)
	}
	if !slices.Equal(info.Ell, pc.Ell) || !slices.Equal(info.Cl, pc.Cl) {
		return errors.New("scoreprior: the model to fine-tune was trained with another power spectrum than the training maps'")
	}
	if info.PixelWindow != pc.PixelWindow {
		return fmt.Errorf("scoreprior: the model to fine-tune has pixel window %t, the training maps %t", info.PixelWindow, pc.PixelWindow)
	}
	return nil
}

// wrapMargin is the least number of pixels by which Prior wraps a map
// around on each side before the network takes it.
const wrapMargin = 32
