package main

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/imageprior"
)

// loadImagePrior returns the model that --model names and its name for
// messages and headers.
func loadImagePrior(name string) (*imageprior.Model, string, error) {
	if name == "default" {
		m, err := imageprior.Default()
		return m, imageprior.DefaultName, err
	}
	m, err := imageprior.Load(name)
	return m, name, err
}

// fluxUnits relates the image to the model: the pixel size and the flux
// unit, each with where it came from.
type fluxUnits struct {
	pixelArcsec float64
	pixelSource string
	zeroPoint   float64
	zeroSource  string
	factor      float64 // model flux units per image flux unit
}

// checkModelFits returns the image's pixel size and flux unit, and an
// error unless the pixel size is the model's.
func checkModelFits(m *imageprior.Model, modelName string, img *image, sf sampleFlags, set map[string]bool, log io.Writer) (fluxUnits, error) {
	u := fluxUnits{pixelArcsec: sf.pixelArcsec, pixelSource: "given", zeroPoint: sf.zeroPoint, zeroSource: "given"}
	if !set["pixel-arcsec"] {
		scale, found, err := pixelScaleArcsec(img.cards)
		switch {
		case err != nil:
			return u, fmt.Errorf("image %s: %w: give --pixel-arcsec", img.where(), err)
		case found:
			u.pixelArcsec, u.pixelSource = scale, "from the WCS"
		default:
			u.pixelArcsec, u.pixelSource = m.Info.PixelArcsec, "the model's (no WCS)"
			fmt.Fprintf(log, "note: image %s has no WCS, so its pixels are taken to be the model's %g arcsec; give --pixel-arcsec to check\n", img.where(), m.Info.PixelArcsec)
		}
	}
	if err := m.CheckPixelScale(u.pixelArcsec); err != nil {
		return u, fmt.Errorf("image %s has %.4g-arcsec pixels (%s) but the prior %s was trained on %.4g-arcsec pixels: resample the image to the model's pixel size or train a model for %.4g-arcsec pixels with deconv train-score --pixel-arcsec",
			img.where(), u.pixelArcsec, u.pixelSource, modelName, m.Info.PixelArcsec, u.pixelArcsec)
	}
	if !set["zero-point"] {
		u.zeroPoint, u.zeroSource = m.Info.ZeroPoint, "the model's"
	}
	u.factor = math.Pow(10, 0.4*(m.Info.ZeroPoint-u.zeroPoint))
	fmt.Fprintf(log, "model: %s (U-Net depth %d, %d base channels; %g-arcsec pixels, zero point %g, trained on %s)\n",
		modelName, m.Net.Config().Depth, m.Net.Config().BaseChannels, m.Info.PixelArcsec, m.Info.ZeroPoint, m.Info.Training)
	fmt.Fprintf(log, "units: %.4g-arcsec pixels (%s), zero point %g (%s): image values times %.4g are the model's\n", u.pixelArcsec, u.pixelSource, u.zeroPoint, u.zeroSource, u.factor)
	return u, nil
}

// pixelScaleArcsec returns the pixel size that the WCS cards give, from
// the CD matrix or from CDELTi with PCi_j, as the square root of the
// pixel's area. It reports false when the cards have neither, and an
// error for non-square pixels or an angle unit other than deg, arcmin or
// arcsec.
func pixelScaleArcsec(cards []fits.Card) (float64, bool, error) {
	values := map[string]float64{}
	units := map[string]string{}
	for _, c := range cards {
		switch v := c.Value.(type) {
		case float64:
			values[c.Key] = v
		case int:
			values[c.Key] = float64(v)
		case string:
			units[c.Key] = strings.TrimSpace(v)
		}
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := values[k]; ok {
				return true
			}
		}
		return false
	}

	// The linear transformation from pixels to intermediate world
	// coordinates, in the unit of CUNITi.
	var m [2][2]float64
	switch {
	case has("CD1_1", "CD1_2", "CD2_1", "CD2_2"):
		m = [2][2]float64{{values["CD1_1"], values["CD1_2"]}, {values["CD2_1"], values["CD2_2"]}}
	case has("CDELT1", "CDELT2"):
		pc := [2][2]float64{{1, 0}, {0, 1}}
		for i := range 2 {
			for j := range 2 {
				if v, ok := values[fmt.Sprintf("PC%d_%d", i+1, j+1)]; ok {
					pc[i][j] = v
				}
			}
		}
		d := [2]float64{values["CDELT1"], values["CDELT2"]}
		for i := range 2 {
			for j := range 2 {
				m[i][j] = d[i] * pc[i][j]
			}
		}
	default:
		return 0, false, nil
	}

	toArcsec := 3600.0
	for _, key := range []string{"CUNIT1", "CUNIT2"} {
		switch u := strings.ToLower(units[key]); u {
		case "", "deg":
		case "arcmin":
			toArcsec = 60
		case "arcsec":
			toArcsec = 1
		default:
			return 0, false, fmt.Errorf("the WCS gives %s = '%s', an angle unit this command does not read (deg, arcmin or arcsec)", key, units[key])
		}
	}
	sx := math.Hypot(m[0][0], m[1][0]) * toArcsec
	sy := math.Hypot(m[0][1], m[1][1]) * toArcsec
	area := math.Abs(m[0][0]*m[1][1]-m[0][1]*m[1][0]) * toArcsec * toArcsec
	if !(area > 0) || math.IsInf(area, 0) {
		return 0, false, fmt.Errorf("the WCS gives a pixel area of %g square arcsec", area)
	}
	if math.Abs(sx/sy-1) > 0.01 {
		return 0, false, fmt.Errorf("the WCS gives pixels of %.4g x %.4g arcsec, not square", sx, sy)
	}
	return math.Sqrt(area), true, nil
}
