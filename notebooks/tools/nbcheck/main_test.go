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
		t.Errorf("clean notebook reported %+v", failures)
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
				t.Fatalf("got failures in %d cells %+v, want 1", len(failures), failures)
			}
			f := failures[0]
			if f.Cell != 2 {
				t.Errorf("failure in cell %d, want 2", f.Cell)
			}
			if len(f.Messages) != 1 {
				t.Fatalf("got %d messages %q, want 1", len(f.Messages), f.Messages)
			}
			if !strings.Contains(f.Messages[0], c.want) {
				t.Errorf("message %q does not contain %q", f.Messages[0], c.want)
			}
		})
	}
}

func TestCheckKeepsTextForContext(t *testing.T) {
	path := writeNotebook(t, `{"cell_type": "code", "execution_count": 1, "outputs": [
		{"output_type": "stream", "name": "stdout", "text": ["reference data not found: /data/x.fits\n"]},
		{"output_type": "stream", "name": "stderr", "text": ["exit status 1\n"]}]}`)
	failures, err := check(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 {
		t.Fatalf("got failures in %d cells %+v, want 1", len(failures), failures)
	}
	want := "reference data not found: /data/x.fits\nexit status 1\n"
	if failures[0].Text != want {
		t.Errorf("text %q, want %q", failures[0].Text, want)
	}
}

func TestCheckKeepsErrorValue(t *testing.T) {
	path := writeNotebook(t, `{"cell_type": "code", "execution_count": 1, "outputs": [
		{"output_type": "error", "ename": "ERROR", "evalue": "# gonb_1\n./main.go:10:1: declared and not used: x\n", "traceback": []}]}`)
	failures, err := check(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(failures) != 1 {
		t.Fatalf("got failures in %d cells %+v, want 1", len(failures), failures)
	}
	if want := "declared and not used: x"; !strings.Contains(failures[0].Text, want) {
		t.Errorf("text %q does not contain %q", failures[0].Text, want)
	}
}

func TestLastLines(t *testing.T) {
	text := "a\nb\nc\n"
	if got := strings.Join(lastLines(text, 2), ","); got != "b,c" {
		t.Errorf("lastLines(%q, 2) = %q, want \"b,c\"", text, got)
	}
	if got := strings.Join(lastLines(text, 10), ","); got != "a,b,c" {
		t.Errorf("lastLines(%q, 10) = %q, want \"a,b,c\"", text, got)
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
