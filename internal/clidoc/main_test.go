package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCLIDocCurrent regenerates docs/cli.md in memory from freshly built
// commands and compares it with the file in the repository.
func TestCLIDocCurrent(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	binDir := t.TempDir()
	if err := buildPrograms(root, binDir); err != nil {
		t.Fatal(err)
	}
	want, err := render(binDir)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(root, docPath)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v: generate it with: go run ./internal/clidoc", err)
	}
	if string(got) == string(want) {
		return
	}
	gotLines, wantLines := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	i := 0
	for i < len(gotLines) && i < len(wantLines) && gotLines[i] == wantLines[i] {
		i++
	}
	line := func(lines []string) string {
		if i < len(lines) {
			return lines[i]
		}
		return "(end of file)"
	}
	t.Errorf("%s is out of date with the commands' --help output; refresh it from the repository root with:\n\tgo run ./internal/clidoc\nfirst difference at line %d:\n\tfile:   %q\n\t--help: %q",
		docPath, i+1, line(gotLines), line(wantLines))
}

func TestListedCommands(t *testing.T) {
	help := `prog: does things

Usage:
  prog COMMAND [flags]

Commands:
  bin          bin a catalogue
  train-score  train a prior
  version      print the version

Run 'prog COMMAND --help' for the flags of a command.
`
	got := listedCommands(help)
	if want := []string{"bin", "train-score"}; !slices.Equal(got, want) {
		t.Errorf("listedCommands = %q, want %q", got, want)
	}
}

func TestUsageSubcommands(t *testing.T) {
	cases := []struct {
		name  string
		help  string
		words []string
		want  []string
	}{
		{
			name:  "second usage line",
			help:  "Usage: prog deep [--catalog FILE] --out FILE\n       prog deep train --catalog FILE   (see prog deep train --help)\n\nText that names prog deep other.\n",
			words: []string{"prog", "deep"},
			want:  []string{"train"},
		},
		{
			name:  "flags only",
			help:  "Usage: prog ks [--catalog FILE] --out FILE.fits\n\nprog ks run here.\n",
			words: []string{"prog", "ks"},
		},
		{
			name:  "subcommand itself",
			help:  "Usage: prog deep train [--catalog FILE] --out MODEL [flags]\n",
			words: []string{"prog", "deep", "train"},
		},
		{
			name:  "no usage line",
			help:  "prog deep train\n",
			words: []string{"prog", "deep"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := usageSubcommands(c.help, c.words); !slices.Equal(got, c.want) {
				t.Errorf("usageSubcommands = %q, want %q", got, c.want)
			}
		})
	}
}
