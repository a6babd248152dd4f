package scoreprior

import _ "embed"

//go:embed cosmos_score.skyunet
var defaultModel []byte

// DefaultName is the name under which Default's model appears in errors
// and in the headers of the maps made with it.
const DefaultName = "embedded COSMOS score prior (scoreprior/cosmos_score.skyunet)"

// Default returns the score prior shipped with the toolkit, trained for
// 0.29-arcmin pixels with the kappaTNG theory spectrum, the COSMOS
// setting. README.md gives the command that trained it. Each call returns
// a new model.
func Default() (*Model, error) {
	return Read(defaultModel, DefaultName)
}
