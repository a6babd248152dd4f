package imageprior

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/skyinv/skyinv/galaxies"
	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/sampling"
	"github.com/skyinv/skyinv/score"
)

// infoKey is the key of Info in the notes of a weights file.
const infoKey = "image-prior"

// Info is the description a model stores beside its network weights.
type Info struct {
	// PixelArcsec is the pixel size of the training images in arcsec. A
	// model applies to images of this pixel size only.
	PixelArcsec float64 `json:"pixel_arcsec"`

	// ZeroPoint is the AB magnitude of a total flux of one image unit, the
	// flux unit of the training images.
	ZeroPoint float64 `json:"zero_point"`

	// Scale is s, one over the root mean square pixel value of the
	// training images, in inverse image units.
	Scale float64 `json:"scale"`

	// SigmaMin and SigmaMax bound the noise levels of training, in image
	// units. The network is not trained outside them.
	SigmaMin float64 `json:"sigma_min"`
	SigmaMax float64 `json:"sigma_max"`

	// Size is the side of the square training images in pixels.
	Size int `json:"size"`

	// Training describes the training images, and Population holds their
	// settings when they were simulated by package galaxies.
	Training   string               `json:"training"`
	Population *galaxies.Population `json:"population,omitempty"`

	// ValidationLoss is the final loss on held-out batches. WienerLoss is
	// that of the Wiener denoiser of the training images' power spectrum,
	// and IdentityLoss that of a zero score (the noisy image kept as it
	// is), about 1.
	ValidationLoss float64 `json:"validation_loss"`
	WienerLoss     float64 `json:"wiener_loss"`
	IdentityLoss   float64 `json:"identity_loss"`
	Seconds        float64 `json:"seconds"`
}

func (info *Info) check() error {
	switch {
	case !(info.PixelArcsec > 0) || math.IsInf(info.PixelArcsec, 0):
		return fmt.Errorf("invalid pixel size %v arcsec", info.PixelArcsec)
	case math.IsNaN(info.ZeroPoint) || math.IsInf(info.ZeroPoint, 0):
		return fmt.Errorf("invalid zero point %v", info.ZeroPoint)
	case !(info.Scale > 0) || math.IsInf(info.Scale, 0):
		return fmt.Errorf("invalid scale %v", info.Scale)
	case !(info.SigmaMin > 0) || !(info.SigmaMax >= info.SigmaMin) || math.IsInf(info.SigmaMax, 0):
		return fmt.Errorf("invalid noise range %v to %v", info.SigmaMin, info.SigmaMax)
	}
	return nil
}

// Model is a learned image prior: a network and its Info. At noise level
// σ its score is U(c_σ x, ln(s σ))/σ.
type Model struct {
	Net  *score.UNet
	Info Info
}

// New returns a model of net and info, or an error if info is invalid or
// the network does not map one channel to one.
func New(net *score.UNet, info Info) (*Model, error) {
	if err := info.check(); err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}
	if c := net.Config(); c.InChannels != 1 || c.OutChannels != 1 {
		return nil, fmt.Errorf("imageprior: the network maps %d channels to %d, but an image prior maps 1 to 1", c.InChannels, c.OutChannels)
	}
	return &Model{Net: net, Info: info}, nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	net, meta, err := score.LoadWeights(path)
	if err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}
	return fromMeta(net, meta, path)
}

// Read reads a model written by Save from data; name identifies it in
// errors.
func Read(data []byte, name string) (*Model, error) {
	net, meta, err := score.ReadWeights(bytes.NewReader(data), int64(len(data)), name)
	if err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}
	return fromMeta(net, meta, name)
}

func fromMeta(net *score.UNet, meta score.Meta, name string) (*Model, error) {
	var info Info
	found, err := meta.Note(infoKey, &info)
	if !found {
		return nil, fmt.Errorf("imageprior: %s contains U-Net weights but no image-prior settings, so it is not an image prior model (%s): train one with deconv train-score", name, notesText(meta))
	}
	if err != nil {
		return nil, fmt.Errorf("imageprior: %s: corrupt image-prior settings: %w", name, err)
	}
	m, err := New(net, info)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// knownKinds names the kinds of model that other packages write, by the
// key of their settings in the notes.
var knownKinds = map[string]string{
	"score-prior": "a convergence-map score prior (massmap train-score)",
	"deepmass":    "a DeepMass model (massmap deepmass train)",
}

// notesText names the kind of model that the notes of meta describe, or
// lists the notes.
func notesText(meta score.Meta) string {
	var keys []string
	for k := range meta.Notes {
		if kind, ok := knownKinds[k]; ok {
			return "it is " + kind
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "it has no notes"
	}
	slices.Sort(keys)
	return "its notes are " + strings.Join(keys, ", ")
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

// CheckPixelScale returns an error unless images of pixelArcsec arcsec
// per pixel are within 1% of the model's pixel size.
func (m *Model) CheckPixelScale(pixelArcsec float64) error {
	if !(pixelArcsec > 0) || math.Abs(pixelArcsec/m.Info.PixelArcsec-1) > 0.01 {
		return fmt.Errorf("imageprior: the image has %g-arcsec pixels but the model was trained on %g-arcsec pixels", pixelArcsec, m.Info.PixelArcsec)
	}
	return nil
}

// Prior returns the model's score on nx × ny images for the sampler. It
// returns an error if the network cannot take that size: both sides must
// be multiples of Net.Multiple().
func (m *Model) Prior(nx, ny int) (*Prior, error) {
	if err := m.Net.Check(ny, nx); err != nil {
		return nil, fmt.Errorf("imageprior: %w", err)
	}
	return &Prior{model: m, nx: nx, ny: ny}, nil
}

// Prior is a Model's score on one image size, a sampling.Prior. It runs
// the network on all chains as one batch. It is not safe for concurrent
// use.
type Prior struct {
	model   *Model
	nx, ny  int
	in, out *nn.Tensor
	sigma   []float32
}

var _ sampling.Prior = (*Prior)(nil)

// Score writes U(c_σ x[c], ln(s σ))/σ into dst[c] for every chain.
func (p *Prior) Score(dst, x [][]float64, sigma float64) error {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("imageprior: noise level %v: the network needs a positive, finite σ", sigma)
	}
	n := p.nx * p.ny
	for c := range x {
		if len(x[c]) != n || len(dst[c]) != n {
			return fmt.Errorf("imageprior: chain %d has images of %d and %d values, want %d (%d × %d)", c, len(dst[c]), len(x[c]), n, p.nx, p.ny)
		}
	}
	chains := len(x)
	if p.in == nil || p.in.N != chains {
		p.in = nn.NewTensor(chains, 1, p.ny, p.nx)
		p.out = nn.NewTensor(chains, 1, p.ny, p.nx)
		p.sigma = make([]float32, chains)
	}

	// The network's input and conditioning.
	info := p.model.Info
	scale := inputScale(info.Scale, sigma)
	for c, xs := range x {
		plane := p.in.Plane(c, 0)
		for i, v := range xs {
			plane[i] = float32(scale * v)
		}
		p.sigma[c] = conditioning(info.Scale, sigma)
	}
	if err := p.model.Net.Forward(p.out, p.in, p.sigma); err != nil {
		return fmt.Errorf("imageprior: %w", err)
	}
	for c := range x {
		for i, u := range p.out.Plane(c, 0) {
			dst[c][i] = float64(u) / sigma
		}
	}
	return nil
}
