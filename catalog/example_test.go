package catalog_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/skyinv/skyinv/catalog"
)

func ExampleRead() {
	dir, err := os.MkdirTemp("", "catalog-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "shear.txt")

	// A field that crosses RA = 0, with one galaxy whose e2 is missing.
	text := `# ra dec e1 e2 weight
359.9  -0.2   0.05  -0.10  1.0
-0.1    0.1  -0.02   0.03  0.5
0.2     0.3   0.01   nan   1.0
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}

	cat, err := catalog.Read(path, catalog.Options{FlipE2: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d rows kept, dropped: %v\n", len(cat.RA), cat.Rows, cat.Dropped)
	for i := range cat.RA {
		fmt.Printf("RA %.1f Dec %.1f e1 %+.2f e2 %+.2f w %.1f\n", cat.RA[i], cat.Dec[i], cat.E1[i], cat.E2[i], cat.Weight[i])
	}
	// Output:
	// 2 of 3 rows kept, dropped: 1 with NaN or Inf
	// RA 359.9 Dec -0.2 e1 +0.05 e2 +0.10 w 1.0
	// RA 359.9 Dec 0.1 e1 -0.02 e2 -0.03 w 0.5
}
