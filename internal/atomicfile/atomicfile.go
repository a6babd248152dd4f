// Package atomicfile writes output files so that a reader never sees a
// half-written file and an existing file is never replaced by accident.
//
// The content goes to a temporary file in the destination's directory, which
// is synced and then moved into place. Without overwrite permission the move
// is a hard link, which fails if the destination appeared in the meantime, so
// two runs racing for one path cannot clobber each other.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists is wrapped by the error that Write returns when the destination
// exists and overwrite is false.
var ErrExists = errors.New("output file already exists (use --force to overwrite)")

// Write creates path with the bytes that fill writes. When fill or any later
// step fails, the temporary file is removed and path is left as it was.
func Write(path string, overwrite bool, fill func(w io.Writer) error) (err error) {
	if !overwrite {
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("%s: %w", path, ErrExists)
		}
	}

	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create temporary file: %w", path, err)
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()

	if err = fill(tmp); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Chmod(tmpName, 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}

	if overwrite {
		if err = os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	if err = os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = fmt.Errorf("%s: %w", path, ErrExists)
		} else {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return err
	}
	os.Remove(tmpName)
	return nil
}

// CheckWritable reports an error when path exists and overwrite is false. A
// command calls it before a long computation so that it fails early; Write
// checks again when the output is complete.
func CheckWritable(path string, overwrite bool) error {
	if overwrite {
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return nil
}
