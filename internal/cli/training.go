package cli

import "math"

// ScoreTraining holds the settings of a U-Net trained by denoising score
// matching that massmap train-score and deconv train-score check alike.
// MinSize is the smallest map size the command accepts, and the size must
// also be a multiple of 2^Depth.
type ScoreTraining struct {
	Depth, Size, MinSize              int
	Channels, Batch, Steps            int
	ValBatches, ValidateEvery, Warmup int
	SigmaMin, SigmaMax, LearningRate  float64
}

// Check returns a UsageError that names the first invalid flag, or nil.
func (t ScoreTraining) Check() error {
	least := max(1<<max(t.Depth, 0), t.MinSize)
	switch {
	case t.Depth < 1 || t.Depth > 6:
		return Usagef("invalid --depth %d: use 1 to 6", t.Depth)
	case t.Size < least || t.Size%(1<<t.Depth) != 0:
		return Usagef("invalid --size %d: use a multiple of 2^depth = %d, at least %d", t.Size, 1<<t.Depth, least)
	case t.Channels < 1 || t.Batch < 1 || t.Steps < 1 || t.ValBatches < 1 || t.ValidateEvery < 1:
		return Usagef("--channels, --batch, --steps, --val-batches and --validate-every must be at least 1")
	case !(t.SigmaMin > 0) || !(t.SigmaMax >= t.SigmaMin) || math.IsInf(t.SigmaMax, 0):
		return Usagef("invalid noise range --sigma-min %v --sigma-max %v: need 0 < sigma-min <= sigma-max", t.SigmaMin, t.SigmaMax)
	case !(t.LearningRate > 0) || math.IsInf(t.LearningRate, 0):
		return Usagef("invalid --lr %v: it must be positive", t.LearningRate)
	case t.Warmup < 0 || t.Warmup >= t.Steps:
		return Usagef("invalid --warmup %d: it must lie between 0 and --steps", t.Warmup)
	}
	return nil
}
