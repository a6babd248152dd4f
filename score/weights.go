package score

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"

	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/nn"
)

const (
	weightsMagic   = "SKYUNET\x00"
	weightsVersion = 1

	// maxHeaderBytes bounds the header that a reader allocates, so a
	// corrupt length fails fast. SaveWeights writes a few kilobytes for a
	// Depth 3 network.
	maxHeaderBytes = 1 << 24
)

// Errors wrapped by the errors of LoadWeights and LoadCheckpoint. Each
// error also names the file.
var (
	// ErrNotWeights is returned for a file that does not start with the
	// magic bytes of a weights file.
	ErrNotWeights = errors.New("score: not a U-Net weights file")

	// ErrUnsupportedVersion is returned for a format version that this
	// package cannot read, usually one written by a newer version.
	ErrUnsupportedVersion = errors.New("score: unsupported weights format version")

	// ErrTruncated is returned for a file that ends before its last array.
	ErrTruncated = errors.New("score: weights file is truncated")

	// ErrCorrupt is returned for a malformed header, an invalid network
	// configuration or bytes after the last array.
	ErrCorrupt = errors.New("score: corrupt weights file")

	// ErrMismatch is returned when the parameter names, shapes or count in
	// the header differ from those of the network that the configuration
	// describes.
	ErrMismatch = errors.New("score: weights do not match the network")
)

// Meta is the description stored with a network's weights.
type Meta struct {
	Training TrainingSettings `json:"training"`

	// Notes is free-form text by key, such as the data set or the code
	// version that produced the weights.
	Notes map[string]string `json:"notes,omitempty"`
}

// TrainingSettings records how a network was trained. The package stores it
// as given, and nothing reads it back except the caller.
type TrainingSettings struct {
	Adam      AdamConfig `json:"adam"`
	Loss      string     `json:"loss,omitempty"` // such as "L2"
	Steps     int        `json:"steps"`
	BatchSize int        `json:"batch_size"`
	Seed      uint64     `json:"seed"`
}

type fileHeader struct {
	Config     fileConfig      `json:"config"`
	Meta       Meta            `json:"meta"`
	Optimizer  *fileOptimizer  `json:"optimizer,omitempty"`
	Parameters []fileParameter `json:"parameters"`
}

type fileConfig struct {
	Depth        int     `json:"depth"`
	BaseChannels int     `json:"base_channels"`
	InChannels   int     `json:"in_channels"`
	OutChannels  int     `json:"out_channels"`
	GroupNorm    bool    `json:"group_norm"`
	Activation   string  `json:"activation"`
	LeakySlope   float32 `json:"leaky_slope"`
}

type fileOptimizer struct {
	Adam AdamConfig `json:"adam"`
	Step int        `json:"step"`
}

type fileParameter struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

// SaveWeights writes the configuration and parameters of net with meta to
// path. It writes through a temporary file, so path never holds a partial
// file, and it returns an error wrapping atomicfile.ErrExists if path
// exists and overwrite is false.
//
// The file format, version 1, is shared with SaveCheckpoint:
//
//	offset 0    8 bytes   magic "SKYUNET\x00"
//	offset 8    uint32    format version, little-endian
//	offset 12   uint32    header length L in bytes, little-endian
//	offset 16   L bytes   header, a JSON object
//	            then each parameter's values as little-endian float32, in
//	            the order of UNet.Parameters and of the header's list
//	            then, in a checkpoint only, every parameter's Adam first
//	            moments, followed by every parameter's second moments
//
// The header has the network configuration ("config", with the activation
// by name), the caller's Meta ("meta"), the name and shape of each
// parameter ("parameters") and, in a checkpoint, the Adam configuration
// and step count ("optimizer"). A file must end after the last array.
//
// A reader rejects a version it does not know. A change that old readers
// would misread, such as a new array section, needs a new version number.
func SaveWeights(path string, overwrite bool, net *UNet, meta Meta) error {
	return saveFile(path, overwrite, net, nil, meta)
}

// SaveCheckpoint writes what SaveWeights writes and the state of opt, so
// that LoadCheckpoint can resume training exactly. opt must be the
// optimiser of net's parameters, or SaveCheckpoint panics.
func SaveCheckpoint(path string, overwrite bool, net *UNet, opt *Adam, meta Meta) error {
	checkOptimizer("SaveCheckpoint", net, opt)
	return saveFile(path, overwrite, net, opt, meta)
}

func saveFile(path string, overwrite bool, net *UNet, opt *Adam, meta Meta) error {
	cfg := net.Config()
	header := fileHeader{
		Config: fileConfig{
			Depth: cfg.Depth, BaseChannels: cfg.BaseChannels,
			InChannels: cfg.InChannels, OutChannels: cfg.OutChannels,
			GroupNorm: cfg.GroupNorm, Activation: cfg.Activation.String(), LeakySlope: cfg.LeakySlope,
		},
		Meta: meta,
	}
	params := net.Parameters()
	for i, shape := range net.parameterShapes() {
		header.Parameters = append(header.Parameters, fileParameter{Name: params[i].Name, Shape: shape})
	}
	if opt != nil {
		header.Optimizer = &fileOptimizer{Adam: opt.cfg, Step: opt.step}
	}
	headerJSON, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("score: encoding the header of %s: %w", path, err)
	}

	err = atomicfile.Write(path, overwrite, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		var prefix [16]byte
		copy(prefix[:8], weightsMagic)
		binary.LittleEndian.PutUint32(prefix[8:], weightsVersion)
		binary.LittleEndian.PutUint32(prefix[12:], uint32(len(headerJSON)))
		bw.Write(prefix[:])
		bw.Write(headerJSON)
		for _, p := range params {
			writeFloats(bw, p.Value)
		}
		if opt != nil {
			for _, m := range opt.m {
				writeFloats(bw, m)
			}
			for _, v := range opt.v {
				writeFloats(bw, v)
			}
		}
		return bw.Flush() // bufio.Writer keeps the first write error
	})
	if err != nil {
		return fmt.Errorf("score: saving weights: %w", err)
	}
	return nil
}

func writeFloats(w *bufio.Writer, xs []float32) {
	var b [4]byte
	for _, x := range xs {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		w.Write(b[:])
	}
}

// LoadWeights reads a file written by SaveWeights or SaveCheckpoint and
// returns a network with its configuration and parameters, and its Meta.
// It ignores the optimiser state of a checkpoint.
func LoadWeights(path string) (*UNet, Meta, error) {
	net, _, meta, err := loadFile(path, false)
	return net, meta, err
}

// WithNote returns a copy of meta whose notes contain v, encoded as JSON,
// under key, for settings that a package built on UNet stores beside the
// weights. It returns an error if v cannot be encoded, for example when
// it contains a NaN.
func (meta Meta) WithNote(key string, v any) (Meta, error) {
	text, err := json.Marshal(v)
	if err != nil {
		return meta, fmt.Errorf("score: note %q: %w", key, err)
	}
	notes := map[string]string{key: string(text)}
	for k, n := range meta.Notes {
		if k != key {
			notes[k] = n
		}
	}
	meta.Notes = notes
	return meta, nil
}

// Note decodes the JSON note under key into v. It returns false if meta
// has no such note, and an error if the note is not valid JSON for v.
func (meta Meta) Note(key string, v any) (bool, error) {
	text, ok := meta.Notes[key]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal([]byte(text), v)
}

// ReadWeights reads weights written by SaveWeights from r, which holds
// size bytes, such as a file embedded in a program. name identifies the
// source in errors. It checks the data as LoadWeights does.
func ReadWeights(r io.Reader, size int64, name string) (*UNet, Meta, error) {
	net, _, meta, err := decode(bufio.NewReader(r), size, false)
	if err != nil {
		return nil, Meta{}, fmt.Errorf("loading %s: %w", name, err)
	}
	return net, meta, nil
}

// LoadCheckpoint reads a file written by SaveCheckpoint and returns the
// network, an Adam optimiser over its parameters with the saved
// configuration and state, and the Meta. It returns an error wrapping
// ErrCorrupt for a file without optimiser state.
func LoadCheckpoint(path string) (*UNet, *Adam, Meta, error) {
	return loadFile(path, true)
}

func loadFile(path string, wantOptimizer bool) (net *UNet, opt *Adam, meta Meta, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, Meta{}, fmt.Errorf("score: loading weights: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, Meta{}, fmt.Errorf("score: loading weights: %w", err)
	}
	net, opt, meta, err = decode(bufio.NewReader(f), info.Size(), wantOptimizer)
	if err != nil {
		return nil, nil, Meta{}, fmt.Errorf("loading %s: %w", path, err)
	}
	return net, opt, meta, nil
}

// decode reads a weights file of size bytes from r. It checks the header
// against size and the configuration before it allocates the network.
func decode(r io.Reader, size int64, wantOptimizer bool) (*UNet, *Adam, Meta, error) {
	// Magic, version and header length.
	var prefix [16]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		if string(prefix[:8]) != weightsMagic {
			return nil, nil, Meta{}, ErrNotWeights
		}
		return nil, nil, Meta{}, ErrTruncated
	}
	if string(prefix[:8]) != weightsMagic {
		return nil, nil, Meta{}, ErrNotWeights
	}
	if v := binary.LittleEndian.Uint32(prefix[8:]); v != weightsVersion {
		return nil, nil, Meta{}, fmt.Errorf("%w %d: this package reads version %d", ErrUnsupportedVersion, v, weightsVersion)
	}
	headerLen := int64(binary.LittleEndian.Uint32(prefix[12:]))
	if headerLen > maxHeaderBytes {
		return nil, nil, Meta{}, fmt.Errorf("%w: header length %d bytes exceeds the maximum %d", ErrCorrupt, headerLen, maxHeaderBytes)
	}
	if 16+headerLen > size {
		return nil, nil, Meta{}, fmt.Errorf("%w: the %d-byte header does not fit in %d bytes", ErrTruncated, headerLen, size)
	}

	// Header.
	headerJSON := make([]byte, headerLen)
	if _, err := io.ReadFull(r, headerJSON); err != nil {
		return nil, nil, Meta{}, ErrTruncated
	}
	var header fileHeader
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return nil, nil, Meta{}, fmt.Errorf("%w: invalid header: %v", ErrCorrupt, err)
	}
	cfg, err := header.Config.unetConfig()
	if err != nil {
		return nil, nil, Meta{}, err
	}
	if wantOptimizer && header.Optimizer == nil {
		return nil, nil, Meta{}, fmt.Errorf("%w: the file has weights but no optimiser state", ErrCorrupt)
	}

	// Sizes, before anything large is allocated.
	var total int64
	for _, p := range header.Parameters {
		n, ok := shapeLen(p.Shape)
		if !ok {
			return nil, nil, Meta{}, fmt.Errorf("%w: parameter %s has invalid shape %v", ErrCorrupt, p.Name, p.Shape)
		}
		total += n
	}
	if want := cfg.parameterCount(); total != want {
		return nil, nil, Meta{}, fmt.Errorf("%w: the header lists %d values, the configuration %+v needs %d", ErrMismatch, total, cfg, want)
	}
	arrays := int64(1)
	if header.Optimizer != nil {
		arrays = 3
	}
	want := 16 + headerLen + 4*arrays*total
	switch {
	case size < want:
		return nil, nil, Meta{}, fmt.Errorf("%w: %d bytes, but its header describes a file of %d", ErrTruncated, size, want)
	case size > want:
		return nil, nil, Meta{}, fmt.Errorf("%w: %d bytes after the last array", ErrCorrupt, size-want)
	}

	// Network, with names and shapes checked against the header.
	net := NewUNet(cfg, rand.New(rand.NewPCG(0, 0)))
	params := net.Parameters()
	shapes := net.parameterShapes()
	if len(header.Parameters) != len(params) {
		return nil, nil, Meta{}, fmt.Errorf("%w: the file has %d parameters, the network %d", ErrMismatch, len(header.Parameters), len(params))
	}
	for i, p := range header.Parameters {
		if p.Name != params[i].Name || !slices.Equal(p.Shape, shapes[i]) {
			return nil, nil, Meta{}, fmt.Errorf("%w: parameter %d is %s %v in the file but %s %v in the network",
				ErrMismatch, i, p.Name, p.Shape, params[i].Name, shapes[i])
		}
	}

	// Arrays.
	for _, p := range params {
		if err := readFloats(r, p.Value); err != nil {
			return nil, nil, Meta{}, err
		}
	}
	var opt *Adam
	if wantOptimizer {
		o := header.Optimizer
		if err := checkAdamConfig(o.Adam); err != nil {
			return nil, nil, Meta{}, err
		}
		if o.Step < 0 {
			return nil, nil, Meta{}, fmt.Errorf("%w: negative optimiser step %d", ErrCorrupt, o.Step)
		}
		opt = NewAdam(params, o.Adam)
		opt.step = o.Step
		for _, m := range opt.m {
			if err := readFloats(r, m); err != nil {
				return nil, nil, Meta{}, err
			}
		}
		for _, v := range opt.v {
			if err := readFloats(r, v); err != nil {
				return nil, nil, Meta{}, err
			}
		}
	}
	return net, opt, header.Meta, nil
}

func readFloats(r io.Reader, dst []float32) error {
	var b [4096]byte
	for len(dst) > 0 {
		n := min(len(dst), len(b)/4)
		if _, err := io.ReadFull(r, b[:4*n]); err != nil {
			return ErrTruncated // the file shrank after its size was checked
		}
		for i := range n {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		dst = dst[n:]
	}
	return nil
}

func (c fileConfig) unetConfig() (UNetConfig, error) {
	// The limits keep 2^Depth·BaseChannels far from overflow, and no
	// sensible network comes near them.
	if c.Depth < 1 || c.Depth > 16 || c.BaseChannels < 1 || c.BaseChannels > 1<<16 ||
		c.InChannels < 1 || c.InChannels > 1<<16 || c.OutChannels < 1 || c.OutChannels > 1<<16 {
		return UNetConfig{}, fmt.Errorf("%w: invalid network configuration %+v", ErrCorrupt, c)
	}
	for _, kind := range []nn.ActivationKind{nn.ReLU, nn.LeakyReLU, nn.SiLU} {
		if kind.String() == c.Activation {
			return UNetConfig{
				Depth: c.Depth, BaseChannels: c.BaseChannels,
				InChannels: c.InChannels, OutChannels: c.OutChannels,
				GroupNorm: c.GroupNorm, Activation: kind, LeakySlope: c.LeakySlope,
			}, nil
		}
	}
	return UNetConfig{}, fmt.Errorf("%w: unknown activation %q", ErrCorrupt, c.Activation)
}

func checkAdamConfig(cfg AdamConfig) (err error) {
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("%w: invalid optimiser configuration %+v", ErrCorrupt, cfg)
		}
	}()
	cfg.check()
	return nil
}

// parameterCount returns the number of values in all parameters of a UNet
// of configuration cfg, following NewUNet.
func (cfg UNetConfig) parameterCount() int64 {
	block := func(in, out int64) int64 {
		n := out*in*9 + out
		if cfg.GroupNorm {
			n += 2 * out
		}
		return n
	}
	channels := func(level int) int64 { return int64(cfg.BaseChannels) << level }
	total := int64(0)
	prev := int64(cfg.InChannels + 1)
	for l := range cfg.Depth {
		total += block(prev, channels(l)) + block(channels(l), channels(l))
		total += block(channels(l+1)+channels(l), channels(l)) + block(channels(l), channels(l))
		prev = channels(l)
	}
	total += block(prev, channels(cfg.Depth)) + block(channels(cfg.Depth), channels(cfg.Depth))
	return total + int64(cfg.OutChannels)*int64(cfg.BaseChannels) + int64(cfg.OutChannels)
}

// parameterShapes returns the shape of each parameter of u, in the order
// of Parameters: OutChannels×InChannels×KernelH×KernelW for a convolution
// weight and one axis for a bias or a normalisation scale or shift.
func (u *UNet) parameterShapes() [][]int {
	var shapes [][]int
	appendBlocks := func(pair [2]*block) {
		for _, b := range pair {
			c := b.conv
			shapes = append(shapes, []int{c.OutChannels, c.InChannels, c.KernelH, c.KernelW}, []int{c.OutChannels})
			if b.norm != nil {
				shapes = append(shapes, []int{b.norm.Channels}, []int{b.norm.Channels})
			}
		}
	}
	for _, pair := range u.enc {
		appendBlocks(pair)
	}
	appendBlocks(u.mid)
	for _, pair := range u.dec {
		appendBlocks(pair)
	}
	c := u.final
	return append(shapes, []int{c.OutChannels, c.InChannels, c.KernelH, c.KernelW}, []int{c.OutChannels})
}

// shapeLen returns the product of shape, and false for an empty shape, a
// non-positive axis or a product above 2^40.
func shapeLen(shape []int) (int64, bool) {
	if len(shape) == 0 {
		return 0, false
	}
	n := int64(1)
	for _, d := range shape {
		if d < 1 || d > 1<<40 {
			return 0, false
		}
		n *= int64(d)
		if n > 1<<40 {
			return 0, false
		}
	}
	return n, true
}
