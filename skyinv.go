// Package skyinv is the root of a toolkit for astrophysical inverse problems:
// weak-lensing mass mapping from shear catalogues, image deconvolution and
// posterior sampling. The work is done by its packages, from the bottom up:
//
//	fits       FITS images and binary tables, read and written
//	catalog    shear catalogues from FITS or text tables
//	skymap     pixel grids on the sky, projections and WCS
//	fft        FFT plans
//	quicklook  PNG quick-look images of maps
//	operators  forward models with adjoints (shear, PSF convolution, masks)
//	cosmology  theory convergence power spectra
//	powerspec  power maps and measured power spectra
//	starlet    the starlet (isotropic undecimated wavelet) transform
//	shearmap   binning a catalogue onto a grid
//	kaiser     Kaiser-Squires mass maps and their noise
//	simulate   Gaussian and lognormal fields, mock catalogues
//	solvers    conjugate gradients, Wiener filter, deconvolution
//
// and the commands massmap (cmd/massmap) and deconv (cmd/deconv). This package holds the version and
// the embedded default data.
package skyinv

import _ "embed"

// Version is the toolkit's version, written into every output file.
const Version = "0.1.0"

// MockCatalog is a FITS shear catalogue of a 1° × 1° field centred on
// (RA, Dec) = (0.2°, −3°), lensed by four NFW halos, with 60,000 galaxies
// and Gaussian shape noise: columns ra, dec (deg), e1, e2 and weight in HDU
// 1 (EXTNAME SHEAR). The program testdata/mockgen made it; the commands use
// it when no catalogue is given.
//
//go:embed testdata/mock_shear_cat.fits
var MockCatalog []byte

// MockCatalogName is the name under which the commands report MockCatalog.
const MockCatalogName = "embedded mock catalogue (testdata/mock_shear_cat.fits)"

//go:generate go run ./testdata/mockgen -out testdata -force
