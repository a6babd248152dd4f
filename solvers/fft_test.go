package solvers

import "github.com/skyinv/skyinv/fft"

func newTestPlan(nx, ny int) *fft.Plan2D { return fft.NewPlan2D(nx, ny) }
