package spin2

import "testing"

func TestGoodSize(t *testing.T) {
	cases := map[int]int{0: 1, 1: 1, 7: 8, 11: 12, 97: 100, 361: 375, 1025: 1080, 4096: 4096}
	for in, want := range cases {
		if got := GoodSize(in); got != want {
			t.Errorf("GoodSize(%d) = %d, want %d", in, got, want)
		}
	}
}

func TestFrequenciesFollowFFTFreq(t *testing.T) {
	got := Frequencies(4)
	want := []float64{0, 0.25, -0.5, -0.25}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Frequencies(4) = %v, want %v", got, want)
		}
	}
	got = Frequencies(5)
	want = []float64{0, 0.2, 0.4, -0.4, -0.2}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Frequencies(5) = %v, want %v", got, want)
		}
	}
}
