package deepmass

import _ "embed"

//go:embed cosmos.skyunet
var defaultModel []byte

// DefaultName is the name under which Default's model appears in errors
// and in the headers of the maps made with it.
const DefaultName = "embedded COSMOS model (deepmass/cosmos.skyunet)"

// Default returns the model shipped with the toolkit, trained for the
// COSMOS survey: 0.29-arcmin pixels, the COSMOS mask and shape noise on a
// 360 × 360 grid, and the kappaTNG theory spectrum as prior. README.md
// gives the command that trained it. Each call returns a new model.
func Default() (*Model, error) {
	return Read(defaultModel, DefaultName)
}
