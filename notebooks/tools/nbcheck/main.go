// Command nbcheck reports the failures recorded in executed Jupyter notebooks
// and exits with status 1 when it finds any.
//
//	nbcheck NOTEBOOK.ipynb...
//
// jupyter nbconvert --execute stops with an error only when a kernel reports a
// failed cell, and GoNB (v0.11.1) does so for compile errors alone. A cell whose
// program panics, calls os.Exit with a non-zero code, runs a failing shell
// command or runs failing tests under %test only writes its messages to the
// cell's output. nbcheck therefore reads every output of every code cell and
// reports
//
//   - error outputs (output_type "error"), which nbconvert records with
//     --allow-errors;
//   - lines of text output that start with "panic: ", "fatal error: ",
//     "--- FAIL" or "FAIL", or that contain "exit status N", which GoNB prints
//     when a cell's program or shell command exits with status N;
//   - code cells without an execution count, which were not executed.
//
// Text outputs are streams and the text/plain, text/markdown and text/html
// data of display and result outputs; images are not read.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// failureLine matches a line of output that reports a failure.
var failureLine = regexp.MustCompile(`^(panic: |fatal error: |--- FAIL|FAIL\b)|exit status [0-9]+`)

// textTypes are the MIME types of display data whose text is searched.
var textTypes = []string{"text/plain", "text/markdown", "text/html"}

// multiline is a notebook string, stored either as one string or as a list of
// lines to concatenate (nbformat 4).
type multiline string

func (m *multiline) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*m = multiline(s)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("invalid notebook text: expected a string or a list of strings: %w", err)
	}
	*m = multiline(strings.Join(lines, ""))
	return nil
}

type notebook struct {
	Cells []cell `json:"cells"`
}

type cell struct {
	CellType       string   `json:"cell_type"`
	ExecutionCount *int     `json:"execution_count"`
	Outputs        []output `json:"outputs"`
}

type output struct {
	OutputType string               `json:"output_type"`
	Text       multiline            `json:"text"` // stream outputs
	Data       map[string]multiline `json:"data"` // display_data and execute_result outputs
	EName      string               `json:"ename"`
	EValue     string               `json:"evalue"`
}

// check returns one message per failure found in the notebook at path,
// naming the cell by its 1-based position among all cells.
func check(path string) ([]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(raw, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", path, err)
	}

	var failures []string
	report := func(i int, format string, args ...any) {
		failures = append(failures, fmt.Sprintf("%s: cell %d: %s", path, i+1, fmt.Sprintf(format, args...)))
	}
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		if c.ExecutionCount == nil {
			report(i, "not executed")
		}
		for _, o := range c.Outputs {
			if o.OutputType == "error" {
				report(i, "error output: %s: %s", o.EName, firstLine(o.EValue))
				continue
			}
			texts := []multiline{o.Text}
			for _, t := range textTypes {
				texts = append(texts, o.Data[t])
			}
			for _, text := range texts {
				for _, line := range strings.Split(string(text), "\n") {
					if failureLine.MatchString(line) {
						report(i, "%s output: %s", o.OutputType, strings.TrimSpace(line))
					}
				}
			}
		}
	}
	return failures, nil
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nbcheck NOTEBOOK.ipynb...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		failures, err := check(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "nbcheck:", err)
			failed = true
			continue
		}
		for _, f := range failures {
			fmt.Fprintln(os.Stderr, f)
		}
		failed = failed || len(failures) > 0
	}
	if failed {
		os.Exit(1)
	}
}
