package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeNotebook writes a notebook with the given cells (JSON objects) and
// returns its path.
func writeNotebook(t *testing.T, cells ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.ipynb")
	text := `{"cells": [` + strings.Join(cells, ",") + `], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckPassesCleanNotebook(t *testing.T) {
	path := writeNotebook(t,
		`{"cell_type": "markdown", "source": ["a panic: or exit status 1 in prose is not an output"]}`,
		`{"cell_type": "code", "execution_count": 1, "source": [], "outputs": [
			{"output_type": "stream", "name": "stdout", "text": ["417117 rows read\n", "no FAILures here\n"]},
			{"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<image>"]}}]}`)
	failures, err := check(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 0 {
		t.Errorf("clean notebook reported %q", failures)
	}
}

func TestCheckFindsFailures(t *testing.T) {
	cases := []struct {
		name, cell, want string
	}{
		{"panic", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stderr", "text": ["panic: boom\n", "\n", "goroutine 1 [running]:\n"]}]}`, "panic: boom"},
		{"exit status", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stderr", "text": "exit status 3\n"}]}`, "exit status 3"},
		{"failed test", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["=== RUN   TestX\n", "--- FAIL: TestX (0.00s)\n"]}]}`, "--- FAIL: TestX"},
		{"test summary", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["FAIL\n"]}]}`, "stream output: FAIL"},
		{"fatal error", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stderr", "text": ["fatal error: all goroutines are asleep - deadlock!\n"]}]}`, "fatal error: all goroutines"},
		{"error output", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "error", "ename": "ERROR", "evalue": "failed to run go build\nmore", "traceback": []}]}`, "error output: ERROR: failed to run go build"},
		{"html", `{"cell_type": "code", "execution_count": 1, "outputs": [{"output_type": "display_data", "data": {"text/html": "<pre>exit status 1</pre>"}}]}`, "display_data output: <pre>exit status 1</pre>"},
		{"not executed", `{"cell_type": "code", "execution_count": null, "outputs": []}`, "not executed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeNotebook(t, `{"cell_type": "markdown", "source": "# title"}`, c.cell)
			failures, err := check(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(failures) != 1 {
				t.Fatalf("got %d failures %q, want 1", len(failures), failures)
			}
			if want := path + ": cell 2: "; !strings.HasPrefix(failures[0], want) {
				t.Errorf("failure %q does not start with %q", failures[0], want)
			}
			if !strings.Contains(failures[0], c.want) {
				t.Errorf("failure %q does not contain %q", failures[0], c.want)
			}
		})
	}
}

func TestCheckRejectsInvalidJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.ipynb")
	if err := os.WriteFile(path, []byte(`{"cells": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check(path); err == nil || !strings.Contains(err.Error(), "not a notebook") {
		t.Errorf("check of truncated JSON returned %v, want a 'not a notebook' error", err)
	}
}
