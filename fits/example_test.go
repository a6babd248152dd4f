package fits_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/fits"
)

func Example() {
	dir, err := os.MkdirTemp("", "fits-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "kappa.fits")

	// A 3 x 2 convergence map with a WCS card and its provenance.
	kappa := fits.ImageHDU{
		Name: "KAPPA",
		Axes: []int{3, 2},
		Data: []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06},
		Cards: []fits.Card{
			{Key: "CDELT1", Value: -0.29 / 60, Comment: "deg"},
			{Key: "HISTORY", Comment: "Kaiser-Squires inversion"},
		},
	}
	if err := fits.WriteImages(path, false, kappa); err != nil {
		log.Fatal(err)
	}

	img, err := fits.ReadImage(path, "kappa")
	if err != nil {
		log.Fatal(err)
	}
	cdelt1, _ := img.Float("CDELT1")
	// Pixel (x, y) = (2, 1) is at y*NAXIS1 + x.
	fmt.Println(img.Name, img.Axes, img.Data[1*img.Axes[0]+2], cdelt1)

	_, err = fits.ReadTable(path, "")
	fmt.Println(err != nil)
	// Output:
	// KAPPA [3 2] 0.06 -0.004833333333333334
	// true
}

func ExampleReadTable() {
	dir, err := os.MkdirTemp("", "fits-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "shear.fits")

	err = fits.WriteTable(path, false, "SHEAR",
		fits.Column{Name: "ra", Unit: "deg", Data: []float64{150.1, 150.2}},
		fits.Column{Name: "e1", Data: []float32{0.25, -0.5}},
		fits.Column{Name: "id", Data: []int32{7, 8}},
	)
	if err != nil {
		log.Fatal(err)
	}

	tab, err := fits.ReadTable(path, "SHEAR")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tab.Rows, tab.ColumnNames())
	e1, null, err := tab.Float64("e1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e1, null)
	// Output:
	// 2 [ra e1 id]
	// [0.25 -0.5] [false false]
}

func ExampleList() {
	dir, err := os.MkdirTemp("", "fits-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "maps.fits")

	err = fits.WriteImages(path, false,
		fits.ImageHDU{},
		fits.ImageHDU{Name: "KAPPA", Axes: []int{4, 4}, Data: make([]float64, 16), Bitpix: -32},
	)
	if err != nil {
		log.Fatal(err)
	}
	infos, err := fits.List(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, info := range infos {
		fmt.Println(info)
	}
	// Output:
	// 0: image, no data
	// 1 'KAPPA': image, 4 x 4, BITPIX -32
}
