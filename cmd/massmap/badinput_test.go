package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad input must fail with the exit code of its kind, an error that names
// the file and the problem, and no output file.
func TestBadInputFailsCleanly(t *testing.T) {
	mock, err := os.ReadFile(filepath.Join("..", "..", "testdata", "mock_shear_cat.fits"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		file     string // catalogue file name in the temporary directory
		content  []byte
		args     []string
		code     int
		messages []string // all must appear in stderr, compared in lower case
	}{
		{
			name:     "missing column",
			file:     "cat.txt",
			content:  []byte("ra dec g1 g2\n10 0 0.1 0.2\n"),
			code:     1,
			messages: []string{"cat.txt", "e1", "--e1-col", "g1"},
		},
		{
			name:     "empty catalogue",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2\n"),
			code:     1,
			messages: []string{"cat.txt", "empty"},
		},
		{
			name:     "all rows invalid",
			file:     "cat.csv",
			content:  []byte("ra,dec,e1,e2\n10,0,nan,0.1\n10.1,0,inf,0.2\n"),
			code:     1,
			messages: []string{"cat.csv", "all 2 rows"},
		},
		{
			name:     "negative weights",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2 weight\n10 0 0.1 0.1 1\n10 0.01 0.1 0.1 -2\n"),
			code:     1,
			messages: []string{"cat.txt", "negative"},
		},
		{
			name:     "weights all zero",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2 weight\n10 0 0.1 0.1 0\n10 0.01 0.1 0.1 0\n"),
			code:     1,
			messages: []string{"cat.txt", "zero"},
		},
		{
			name:     "truncated FITS",
			file:     "cat.fits",
			content:  mock[:len(mock)/2],
			code:     1,
			messages: []string{"cat.fits", "truncated"},
		},
		{
			name:     "HDU not a table",
			file:     "cat.fits",
			content:  mock,
			args:     []string{"--hdu", "0"},
			code:     1,
			messages: []string{"cat.fits", "not a table"},
		},
		{
			name:     "galaxy 90 degrees from centre",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2\n10 0 0.1 0.1\n190 0 0.1 0.1\n"),
			args:     []string{"--center", "10,0", "--npix", "10"},
			code:     1,
			messages: []string{"cat.txt", "90 degrees"},
		},
		{
			name:     "npix zero",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2\n10 0 0.1 0.1\n"),
			args:     []string{"--npix", "0"},
			code:     2,
			messages: []string{"--npix 0"},
		},
		{
			name:     "pixel size zero",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2\n10 0 0.1 0.1\n"),
			args:     []string{"--pixel-arcmin", "0"},
			code:     2,
			messages: []string{"--pixel-arcmin 0"},
		},
		{
			name:     "negative pixel size",
			file:     "cat.txt",
			content:  []byte("ra dec e1 e2\n10 0 0.1 0.1\n"),
			args:     []string{"--pixel-arcmin", "-1"},
			code:     2,
			messages: []string{"--pixel-arcmin -1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cat := filepath.Join(dir, c.file)
			if err := os.WriteFile(cat, c.content, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.fits")
			args := append([]string{"ks", "--catalog", cat, "--out", out, "--png", filepath.Join(dir, "out.png")}, c.args...)
			code, _, stderr := runMassmap(t, args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, c.code, stderr)
			}
			low := strings.ToLower(stderr)
			for _, m := range c.messages {
				if !strings.Contains(low, strings.ToLower(m)) {
					t.Errorf("stderr lacks %q:\n%s", m, stderr)
				}
			}
			if got := listDir(t, dir); len(got) != 1 {
				t.Errorf("directory holds %v after the failure, want only the catalogue", got)
			}
		})
	}
}

func TestExistingOutputNeedsForce(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "k.fits")
	old := []byte("an earlier result")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runMassmap(t, "ks", "--out", out)
	if code != 1 || !strings.Contains(stderr, out) || !strings.Contains(stderr, "--force") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != string(old) {
		t.Errorf("the existing output was changed")
	}
	if got := listDir(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v", got)
	}

	code, _, stderr = runMassmap(t, "ks", "--out", out, "--force")
	if code != 0 {
		t.Fatalf("with --force: exit code %d:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(out); !strings.HasPrefix(string(b), "SIMPLE  =") {
		t.Errorf("with --force the output was not replaced by a FITS file")
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"nosuch"},
		{"ks"},                                // no --out
		{"ks", "--out", "x.fits", "--nosuch"}, // unknown flag
		{"ks", "--out", "x.fits", "extra"},    // positional argument
		{"ks", "--out", "x.fits", "--npix", "10", "--nx", "5", "--ny", "5"},
		{"ks", "--out", "x.fits", "--nx", "5"},
		{"ks", "--out", "x.fits", "--center", "10"},
		{"ks", "--out", "x.fits", "--center", "10,95"},
		{"ks", "--out", "x.fits", "--projection", "sin"},
		{"ks", "--out", "x.fits", "--noise-realisations", "1"},
		{"ks", "--out", "x.fits", "--smooth-arcmin", "-1"},
		{"ks", "--out", "x.fits", "--png", "x.fits"},
		{"ks", "--out", "x.fits", "--center", "400,2"},
		{"ks", "--out", "x.fits", "--npix", "abc"},
		{"wiener", "--out", "x.fits", "--method", "lbfgs"},
		{"wiener", "--out", "x.fits", "--samples", "1"},
		{"wiener", "--out", "x.fits", "--tol", "2"},
		{"sparse", "--out", "x.fits", "--scales", "40"},
	}
	for _, args := range cases {
		code, _, stderr := runMassmap(t, args...)
		if code != 2 {
			t.Errorf("massmap %s: exit code %d, want 2; stderr:\n%s", strings.Join(args, " "), code, stderr)
		}
		if strings.TrimSpace(stderr) == "" {
			t.Errorf("massmap %s: nothing on stderr", strings.Join(args, " "))
		}
	}
	if _, err := os.Stat("x.fits"); err == nil {
		t.Errorf("a usage error wrote x.fits")
		os.Remove("x.fits")
	}
}

func TestHelpGoesToStdout(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"ks", "--help"}, {"bin", "-h"}} {
		code, stdout, _ := runMassmap(t, args...)
		if code != 0 || !strings.Contains(stdout, "Usage") {
			t.Errorf("massmap %s: exit code %d, stdout:\n%s", strings.Join(args, " "), code, stdout)
		}
	}
	_, stdout, _ := runMassmap(t, "ks", "--help")
	for _, flag := range []string{"--catalog", "--out", "--png", "--nx", "--ny", "--npix", "--pixel-arcmin", "--center", "--projection", "--smooth-arcmin", "--noise-realisations", "--seed", "--ra-col", "--dec-col", "--e1-col", "--e2-col", "--weight-col", "--flip-e1", "--flip-e2", "--force", "--pad", "--hdu"} {
		if !strings.Contains(stdout, flag+" ") && !strings.Contains(stdout, flag+"\n") {
			t.Errorf("ks --help does not document %s", flag)
		}
	}
}

func TestBinWritesShearMaps(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "shear.fits")
	code, _, stderr := runMassmap(t, "bin", "--out", out, "--png", filepath.Join(dir, "ngal.png"), "--pixel-arcmin", "2")
	if code != 0 {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	hdus, err := listHDUNames(out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(hdus, ","), "GAMMA1,GAMMA2,NGAL,WEIGHT,SHEAR_STD"; got != want {
		t.Errorf("HDUs %s, want %s", got, want)
	}
	ngal := readHDU(t, out, "NGAL")
	total := 0.0
	for _, v := range ngal.Data {
		total += v
	}
	if total != 60000 {
		t.Errorf("NGAL sums to %g, want the 60000 galaxies of the catalogue", total)
	}
}

func TestFlagErrorsUseTwoDashes(t *testing.T) {
	_, _, stderr := runMassmap(t, "ks", "--out", "x.fits", "--smooth", "1")
	if !strings.Contains(stderr, "unknown flag --smooth") {
		t.Errorf("stderr:\n%s", stderr)
	}
	_, _, stderr = runMassmap(t, "ks", "--out", "x.fits", "--npix", "abc")
	if !strings.Contains(stderr, `invalid value "abc" for --npix`) || strings.Contains(stderr, "Flags:") {
		t.Errorf("stderr, want a one-line error without the full help:\n%s", stderr)
	}
}

func TestOutputMayNotReplaceInput(t *testing.T) {
	dir := t.TempDir()
	cat := filepath.Join(dir, "cat.txt")
	content := []byte("ra dec e1 e2\n10 0 0.1 0.1\n10.01 0 0.1 0.1\n")
	os.WriteFile(cat, content, 0o644)
	code, _, stderr := runMassmap(t, "ks", "--catalog", cat, "--out", filepath.Join(dir, ".", "cat.txt"), "--force")
	if code != 2 || !strings.Contains(stderr, "is the input") {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(cat); string(b) != string(content) {
		t.Errorf("the catalogue was changed")
	}
}
