package score

import (
	"fmt"
	"math/rand/v2"

	"github.com/skyinv/skyinv/nn"
)

// UNetConfig sets the shape of a UNet. Zero values mean the defaults
// given beside each field.
type UNetConfig struct {
	// Depth is the number of 2×2 poolings between the full-resolution
	// level and the bottleneck. Image sizes must be multiples of 2^Depth.
	// Zero means 3.
	Depth int

	// BaseChannels is the channel count of the full-resolution level. It
	// doubles at each level below. Zero means 32.
	BaseChannels int

	// InChannels is the number of input image channels, not counting the
	// noise-level channel that the network adds. Zero means 1.
	InChannels int

	// OutChannels is the number of output channels. Zero means InChannels.
	OutChannels int

	// GroupNorm puts a group normalisation between each 3×3 convolution
	// and its activation. Each group has at most 8 channels: a level with
	// C channels uses the fewest groups g that divide C with C/g ≤ 8.
	// False means no normalisation.
	GroupNorm bool

	// Activation is the function after each convolution block. The zero
	// value is nn.ReLU.
	Activation nn.ActivationKind

	// LeakySlope is the negative-side slope of nn.LeakyReLU. Zero means
	// 0.01, PyTorch's default. Other activations ignore it.
	LeakySlope float32
}

// withDefaults returns cfg with zero fields replaced by their defaults.
// It panics on negative values.
func (cfg UNetConfig) withDefaults() UNetConfig {
	if cfg.Depth < 0 || cfg.BaseChannels < 0 || cfg.InChannels < 0 || cfg.OutChannels < 0 {
		panic(fmt.Sprintf("score: negative value in UNetConfig %+v", cfg))
	}
	if cfg.Depth == 0 {
		cfg.Depth = 3
	}
	if cfg.BaseChannels == 0 {
		cfg.BaseChannels = 32
	}
	if cfg.InChannels == 0 {
		cfg.InChannels = 1
	}
	if cfg.OutChannels == 0 {
		cfg.OutChannels = cfg.InChannels
	}
	if cfg.LeakySlope == 0 {
		cfg.LeakySlope = 0.01
	}
	return cfg
}

// UNet is a noise-conditional U-Net (Ronneberger, Fischer and Brox,
// "U-Net: Convolutional Networks for Biomedical Image Segmentation",
// MICCAI 2015, LNCS 9351, pp. 234–241) built from the float32 layers of
// package nn. It maps a batch of noisy images and one noise level σ per
// image to a batch of images of the same height and width.
//
// # Architecture
//
// The noise level enters as one extra input channel that contains σ in
// every pixel, the simplest form of conditioning. Each level has two blocks of
// a 3×3 convolution, an optional group normalisation and an activation.
// Level l has BaseChannels·2^l channels. The encoder goes down by 2×2
// average pooling, Depth times, to the bottleneck level. The decoder goes
// up by nearest-neighbour upsampling, concatenates the encoder output of
// the same level (skip channels first) and applies two blocks. A final
// 1×1 convolution maps BaseChannels channels to OutChannels, with no
// activation.
//
// # Memory
//
// Forward keeps every intermediate tensor for Backward, and the buffers
// are reused while the batch size and image size stay the same, so after
// the first call Forward and Backward allocate nothing. A UNet must not be
// used by two goroutines at once. Its layers spread their work over
// GOMAXPROCS goroutines, and results are bit-identical from run to run on
// one machine and build, as in package nn.
type UNet struct {
	cfg UNetConfig

	enc   [][2]*block
	pools []*nn.AvgPool2
	mid   [2]*block
	dec   [][2]*block
	ups   []*nn.Upsample2
	final *nn.Conv2D

	// Tensors of the last Forward and their gradients, indexed by level l.
	// pooled[l] is the pooled output of enc[l]. up[l] is the output of
	// level l+1 upsampled to level l. cat[l] is the input of dec[l].
	input, inputGrad   *nn.Tensor
	pooled, pooledGrad []*nn.Tensor
	up, upGrad         []*nn.Tensor
	cat, catGrad       []*nn.Tensor
	skipGrad           []*nn.Tensor

	// forwardDone records a Forward that completed, so Backward has
	// activations to use.
	forwardDone bool
}

// NewUNet returns a network of the given configuration with every
// convolution initialised by nn.Conv2D.InitUniform from rng, and group
// normalisations with unit scale and zero shift. It panics if a field of
// cfg is negative or rng is nil.
func NewUNet(cfg UNetConfig, rng *rand.Rand) *UNet {
	if rng == nil {
		panic("score: NewUNet needs a random number generator")
	}
	cfg = cfg.withDefaults()
	u := &UNet{cfg: cfg}
	depth := cfg.Depth
	channels := func(level int) int { return cfg.BaseChannels << level }

	// Encoder, from the input and its noise-level channel down.
	prev := cfg.InChannels + 1
	for l := range depth {
		c := channels(l)
		u.enc = append(u.enc, [2]*block{newBlock(cfg, prev, c, rng), newBlock(cfg, c, c, rng)})
		u.pools = append(u.pools, &nn.AvgPool2{})
		prev = c
	}

	// Bottleneck.
	c := channels(depth)
	u.mid = [2]*block{newBlock(cfg, prev, c, rng), newBlock(cfg, c, c, rng)}

	// Decoder, built in level order so dec[l] is level l.
	u.dec = make([][2]*block, depth)
	u.ups = make([]*nn.Upsample2, depth)
	for l := depth - 1; l >= 0; l-- {
		c := channels(l)
		u.ups[l] = &nn.Upsample2{}
		u.dec[l] = [2]*block{newBlock(cfg, channels(l+1)+c, c, rng), newBlock(cfg, c, c, rng)}
	}

	u.final = nn.NewConv2D(cfg.BaseChannels, cfg.OutChannels, 1, 1)
	u.final.InitUniform(rng)

	u.pooled = make([]*nn.Tensor, depth)
	u.pooledGrad = make([]*nn.Tensor, depth)
	u.up = make([]*nn.Tensor, depth)
	u.upGrad = make([]*nn.Tensor, depth)
	u.cat = make([]*nn.Tensor, depth)
	u.catGrad = make([]*nn.Tensor, depth)
	u.skipGrad = make([]*nn.Tensor, depth)
	return u
}

// Config returns the configuration of u with defaults filled in.
func (u *UNet) Config() UNetConfig { return u.cfg }

// Multiple returns 2^Depth, the number that image heights and widths must
// be multiples of.
func (u *UNet) Multiple() int { return 1 << u.cfg.Depth }
