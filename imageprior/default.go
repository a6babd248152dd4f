package imageprior

import _ "embed"

//go:embed hst_galaxies.skyunet
var defaultModel []byte

// DefaultName is the name under which Default's model appears in messages
// and in the headers of the images made with it.
const DefaultName = "embedded HST galaxy prior (imageprior/hst_galaxies.skyunet)"

// Default returns the image prior shipped with the toolkit, trained on
// simulated galaxies (galaxies.Population with its defaults) at 0.03
// arcsec per pixel, in the flux unit of the HST/ACS F814W AEGIS stamps
// (zero point 26.1). README.md gives the command that trained it. Each
// call returns a new model.
func Default() (*Model, error) {
	return Read(defaultModel, DefaultName)
}
