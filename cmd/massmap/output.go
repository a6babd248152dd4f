package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skyinv/skyinv"
	"github.com/skyinv/skyinv/fits"
	"github.com/skyinv/skyinv/internal/atomicfile"
	"github.com/skyinv/skyinv/quicklook"
	"github.com/skyinv/skyinv/skymap"
)

// provenance returns the header cards that record how a file was made: the
// program, its version, the input, every flag value and the numbers the
// summary reports.
func provenance(name string, fs *flag.FlagSet, args []string, b *binned) []fits.Card {
	cards := []fits.Card{
		{Key: "ORIGIN", Value: "skyinv", Comment: "toolkit that wrote this file"},
		{Key: "PROGRAM", Value: "massmap " + name, Comment: "command that wrote this file"},
		{Key: "VERSION", Value: skyinv.Version, Comment: "version of the toolkit"},
		{Key: "DATE", Value: time.Now().UTC().Format("2006-01-02T15:04:05"), Comment: "UTC time the file was written"},
		{Key: "INPUT", Value: b.cat.Path, Comment: "shear catalogue"},
		{Key: "NROWS", Value: b.cat.Rows, Comment: "rows in the catalogue"},
		{Key: "NKEPT", Value: len(b.cat.RA), Comment: "rows kept (no null, NaN or Inf)"},
		{Key: "NBINNED", Value: b.field.Binned, Comment: "galaxies inside the grid"},
		{Key: "NOUTSIDE", Value: b.field.Outside, Comment: "galaxies outside the grid"},
		{Key: "SIGMAE", Value: b.field.SigmaE, Comment: "per-component ellipticity dispersion"},
		{Key: "PIXSCALE", Value: b.grid.PixelArcmin, Comment: "[arcmin] pixel size"},
		{Key: "PROJECT", Value: b.grid.Projection.String(), Comment: "tan: gnomonic; radec: linear in RA and Dec"},
		{Key: "COMMENT", Comment: "Orientation: North up, East to the left."},
		{Key: "COMMENT", Comment: "Shear convention: e1 > 0 along the East-West axis, e2 > 0 along"},
		{Key: "COMMENT", Comment: "North-East to South-West (position angles from East towards North)."},
	}
	fs.VisitAll(func(f *flag.Flag) {
		cards = append(cards, fits.Card{Key: "HISTORY", Comment: fmt.Sprintf("--%s=%s", f.Name, f.Value)})
	})
	cards = append(cards, fits.Card{Key: "HISTORY", Comment: "command line: massmap " + name + " " + strings.Join(args, " ")})
	return cards
}

// writeOutputs writes the FITS file and, when requested, the PNG quick look
// of the map at index pngMap.
func writeOutputs(out outputFlags, g skymap.Grid, header []fits.Card, maps []skymap.Map, png quicklook.Options, pngMap int, log io.Writer) error {
	start := time.Now()

	// Render the PNG first, in memory, so that a rendering failure leaves
	// no FITS file behind either.
	var pngBytes []byte
	if out.png != "" {
		var buf bytes.Buffer
		if err := quicklook.Encode(&buf, maps[pngMap].Data, g.NX, g.NY, png); err != nil {
			return fmt.Errorf("%s: cannot render the quick look: %w", out.png, err)
		}
		pngBytes = buf.Bytes()
	}

	if err := skymap.WriteFITS(out.out, out.force, g, header, maps...); err != nil {
		return err
	}
	names := make([]string, len(maps))
	for i, m := range maps {
		names[i] = m.Name
	}
	fmt.Fprintf(log, "wrote %s (%s)\n", out.out, strings.Join(names, ", "))

	if out.png != "" {
		err := atomicfile.Write(out.png, out.force, func(w io.Writer) error {
			_, err := w.Write(pngBytes)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "wrote %s (%s)\n", out.png, maps[pngMap].Name)
	}
	fmt.Fprintf(log, "  written in %s\n", since(start))
	return nil
}
