package deepmass_test

import (
	"testing"

	"github.com/skyinv/skyinv/deepmass"
	"github.com/skyinv/skyinv/internal/ktng"
)

// TestDefaultModelOnKappaTNG applies the shipped COSMOS model to the
// kappaTNG field, which no training set has seen: the model trains on
// Gaussian and lognormal simulations only. The field's arrays are the
// mirror image of the toolkit's maps. The model was trained on all eight
// orientations of the mask, so it takes them as they are.
func TestDefaultModelOnKappaTNG(t *testing.T) {
	const minR = 0.60
	f := ktng.Load(t)
	m, err := deepmass.Default()
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Estimate(deepmass.Data{NX: f.NX, NY: f.NY, PixelArcmin: f.PixelArcmin, G1: f.G1, G2: f.G2, NoiseVar: f.NoiseVar, PixelFrame: true})
	if err != nil {
		t.Fatal(err)
	}
	rWF, eWF := f.Stats(res.Wiener)
	rDM, eDM := f.Stats(res.Mean)
	t.Logf("inside the mask:  Pearson r   RMSE")
	t.Logf("Wiener filter     %.4f      %.5f", rWF, eWF)
	t.Logf("DeepMass          %.4f      %.5f", rDM, eDM)
	if !(rDM >= minR) {
		t.Errorf("DeepMass Pearson r = %.4f, want >= %.2f", rDM, minR)
	}
	if !(eDM < eWF) {
		t.Errorf("DeepMass RMSE %.5f is not below the Wiener filter's %.5f", eDM, eWF)
	}
}
