package imageprior

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/skyinv/skyinv/nn"
	"github.com/skyinv/skyinv/score"
)

// whiteImages is a source of images of independent N(0, v) pixels.
type whiteImages struct {
	n, size int
	v       float64
	seed    uint64
}

func (w whiteImages) Batch(dst *nn.Tensor, i int) *nn.Tensor {
	if dst == nil {
		dst = nn.NewTensor(w.n, 1, w.size, w.size)
	}
	rng := rand.New(rand.NewPCG(w.seed, uint64(i)))
	for q := range dst.Data {
		dst.Data[q] = float32(math.Sqrt(w.v) * rng.NormFloat64())
	}
	return dst
}

// For white images of variance v the Wiener denoiser is x̃ v/(v + σ²), and
// its error in target units has variance v/(v + σ²): the expected loss is
// the mean of that over the batches' noise levels.
func TestWienerLossOfWhiteImages(t *testing.T) {
	const size, v = 16, 0.04
	train := whiteImages{n: 8, size: size, v: v, seed: 1}
	pairs, err := NewPairs(PairsConfig{Source: whiteImages{n: 8, size: size, v: v, seed: 2}, Scale: 1 / math.Sqrt(v), SigmaMin: 0.02, SigmaMax: 0.8, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	heldOut := score.NewHeldOut(pairs.Batch, 40)
	power, err := powerSpectrum(train, 200, size)
	if err != nil {
		t.Fatal(err)
	}
	got := wienerLoss(heldOut, power, size, 1/math.Sqrt(v))

	var want float64
	for i := range heldOut.Len() {
		_, _, sigma := heldOut.Batch(i)
		for _, c := range sigma {
			s := math.Exp(float64(c)) * math.Sqrt(v)
			want += v / (v + s*s) / float64(len(sigma)*heldOut.Len())
		}
	}
	t.Logf("Wiener loss %.4f, expected %.4f", got, want)
	if math.Abs(got/want-1) > 0.03 {
		t.Errorf("Wiener loss %.4f, want %.4f within 3%%", got, want)
	}
}
