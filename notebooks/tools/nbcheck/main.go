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

// contextLines is the number of lines of a failed cell's text output shown
// after its failures.
const contextLines = 10

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

// cellFailures are the failures found in one code cell.
type cellFailures struct {
	Cell     int      // 1-based position among all cells
	Messages []string // one per failure
	Text     string   // the cell's stream text and error values, in order, for context
}

// check returns the failures found in the notebook at path, cell by cell.
func check(path string) ([]cellFailures, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb notebook
	if err := json.Unmarshal(raw, &nb); err != nil {
		return nil, fmt.Errorf("%s: not a notebook: %w", path, err)
	}

	var found []cellFailures
	for i, c := range nb.Cells {
		if c.CellType != "code" {
			continue
		}
		f := cellFailures{Cell: i + 1}
		if c.ExecutionCount == nil {
			f.Messages = append(f.Messages, "not executed")
		}
		for _, o := range c.Outputs {
			if o.OutputType == "stream" {
				f.Text += string(o.Text)
			}
			if o.OutputType == "error" {
				f.Messages = append(f.Messages, fmt.Sprintf("error output: %s: %s", o.EName, firstLine(o.EValue)))
				f.Text += o.EValue
				continue
			}
			texts := []multiline{o.Text}
			for _, t := range textTypes {
				texts = append(texts, o.Data[t])
			}
			for _, text := range texts {
				for _, line := range strings.Split(string(text), "\n") {
					if failureLine.MatchString(line) {
						f.Messages = append(f.Messages, fmt.Sprintf("%s output: %s", o.OutputType, strings.TrimSpace(line)))
					}
				}
			}
		}
		if len(f.Messages) > 0 {
			found = append(found, f)
		}
	}
	return found, nil
}

// lastLines returns the last n lines of text, without the final newline.
func lastLines(text string, n int) []string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return lines[max(0, len(lines)-n):]
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
			for _, m := range f.Messages {
				fmt.Fprintf(os.Stderr, "%s: cell %d: %s\n", path, f.Cell, m)
			}
			if f.Text != "" {
				fmt.Fprintf(os.Stderr, "  the end of the cell's text output:\n")
				for _, line := range lastLines(f.Text, contextLines) {
					fmt.Fprintf(os.Stderr, "  | %s\n", line)
				}
			}
		}
		failed = failed || len(failures) > 0
	}
	if failed {
		os.Exit(1)
	}
}
