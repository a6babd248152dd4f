package cli

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestScoreTrainingCheck(t *testing.T) {
	good := ScoreTraining{Depth: 3, Size: 64, MinSize: 8, Channels: 4, Batch: 2, Steps: 10,
		ValBatches: 1, ValidateEvery: 5, Warmup: 1, SigmaMin: 1e-3, SigmaMax: 0.3, LearningRate: 1e-3}
	if err := good.Check(); err != nil {
		t.Fatalf("valid settings: %v", err)
	}
	cases := []struct {
		name string
		edit func(*ScoreTraining)
		flag string
	}{
		{"depth 0", func(s *ScoreTraining) { s.Depth = 0 }, "--depth"},
		{"depth 7", func(s *ScoreTraining) { s.Depth = 7 }, "--depth"},
		{"size not a multiple", func(s *ScoreTraining) { s.Size = 60 }, "--size"},
		{"size below the least", func(s *ScoreTraining) { s.Depth, s.Size, s.MinSize = 1, 4, 8 }, "--size"},
		{"no channels", func(s *ScoreTraining) { s.Channels = 0 }, "--channels"},
		{"no validation batches", func(s *ScoreTraining) { s.ValBatches = 0 }, "--val-batches"},
		{"inverted noise range", func(s *ScoreTraining) { s.SigmaMin, s.SigmaMax = 0.3, 0.1 }, "--sigma-min"},
		{"infinite noise", func(s *ScoreTraining) { s.SigmaMax = math.Inf(1) }, "--sigma-max"},
		{"zero learning rate", func(s *ScoreTraining) { s.LearningRate = 0 }, "--lr"},
		{"warm-up as long as training", func(s *ScoreTraining) { s.Warmup = 10 }, "--warmup"},
	}
	for _, c := range cases {
		s := good
		c.edit(&s)
		err := s.Check()
		var usage UsageError
		if !errors.As(err, &usage) {
			t.Errorf("%s: error %v, want a UsageError", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.flag) {
			t.Errorf("%s: %q does not name %s", c.name, err, c.flag)
		}
	}
}
