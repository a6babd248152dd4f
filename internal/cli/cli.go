// Package cli holds what the toolkit's commands share. It dispatches
// subcommands with the exit codes 0 (success), 1 (the run failed) and 2
// (invalid command line), builds flag sets whose help lists every flag with
// two dashes, and has small helpers for summaries and output paths.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Command is one subcommand of a program.
type Command struct {
	Name    string
	Summary string
	Run     func(args []string, stdout, stderr io.Writer) error

	// Sub lists commands one level down, such as "train" in
	// "massmap deepmass train": when the first argument names one, it runs
	// instead of Run, and errors name both words.
	Sub []Command
}

// Program is a command with subcommands.
type Program struct {
	Name     string // "massmap"
	Title    string // one line on what the program does
	Usage    string // the usage line, e.g. "massmap COMMAND [flags]"
	Footer   string // text after the list of commands
	Version  string
	Commands []Command
}

// UsageError marks a mistake on the command line; Run returns 2 for it.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

// Usagef returns a UsageError with a formatted message.
func Usagef(format string, args ...any) error {
	return UsageError{fmt.Errorf(format, args...)}
}

// Run executes the command line args and returns the exit code.
func (p *Program) Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		p.printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		p.printUsage(stdout)
		return 0
	case "version", "-version", "--version":
		fmt.Fprintf(stdout, "%s %s\n", p.Name, p.Version)
		return 0
	}
	for _, c := range p.Commands {
		if c.Name != name {
			continue
		}
		run, rest := c.Run, args[1:]
		for _, s := range c.Sub {
			if len(rest) > 0 && rest[0] == s.Name {
				run, rest, name = s.Run, rest[1:], name+" "+s.Name
				break
			}
		}
		err := run(rest, stdout, stderr)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, new(UsageError)):
			fmt.Fprintf(stderr, "%s %s: %v\nRun '%s %s --help' for usage.\n", p.Name, name, err, p.Name, name)
			return 2
		default:
			fmt.Fprintf(stderr, "%s %s: %v\n", p.Name, name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n", p.Name, name)
	p.printUsage(stderr)
	return 2
}

func (p *Program) printUsage(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n\nUsage:\n  %s\n\nCommands:\n", p.Name, p.Title, p.Usage)
	width := len("version")
	for _, c := range p.Commands {
		width = max(width, len(c.Name))
	}
	for _, c := range p.Commands {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	fmt.Fprintf(&b, "  %-*s  print the version\n\n", width, "version")
	fmt.Fprintf(&b, "Run '%s COMMAND --help' for the flags of a command.", p.Name)
	if p.Footer != "" {
		b.WriteString(" " + p.Footer)
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}

// NewFlagSet returns the FlagSet of subcommand name of program, whose help
// starts with synopsis and lists every flag with two dashes. Help requested
// in args with -h or --help goes to stdout, everything else to stderr.
func NewFlagSet(program, name, synopsis string, args []string, stdout, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(program+" "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" || a == "--h" {
			fs.SetOutput(stdout)
		}
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\n\nFlags:\n", synopsis)
		fs.VisitAll(func(fl *flag.Flag) {
			def := ""
			if fl.DefValue != "" && fl.DefValue != "0" && fl.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", fl.DefValue)
			}
			name, usage := flag.UnquoteUsage(fl)
			if name != "" {
				name = " " + name
			}
			fmt.Fprintf(fs.Output(), "  --%s%s\n        %s%s\n", fl.Name, name, usage, def)
		})
	}
	return fs
}

// ParseFlags parses args and rejects positional arguments, suggesting the
// flag in example ("--catalog FILE") instead. Help goes to the FlagSet's
// output. A parse error becomes a UsageError in the command's own words,
// with the flags spelled with two dashes as in the help text.
func ParseFlags(fs *flag.FlagSet, args []string, example string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	if err != nil {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			return Usagef("unknown flag --%s", name)
		}
		msg = strings.Replace(msg, " for flag -", " for --", 1)
		return Usagef("%s", msg)
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected argument %q: every input is given by a flag (for example %s)", fs.Arg(0), example)
	}
	return nil
}

// SetFlags returns the names of the flags given on the command line.
func SetFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// Since formats the time elapsed since t for a summary line.
func Since(t time.Time) string {
	d := time.Since(t)
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// SameFile reports whether two paths name the same file, or the same path
// when either does not exist yet.
func SameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}
