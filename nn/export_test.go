package nn

// SetDirect turns the direct convolution kernels on or off, where the
// processor has them, and returns a function that restores the setting.
func SetDirect(on bool) (restore func()) {
	old := directEnabled
	directEnabled = on
	return func() { directEnabled = old }
}

// HasDirect reports whether this build and processor have direct kernels.
func HasDirect() bool { return directKernel32 != nil }
