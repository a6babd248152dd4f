package nn

import (
	"fmt"
	"unsafe"
)

// Tensor is a batch of multi-channel images in NCHW order: N images of C
// channels, each an H×W plane stored row by row. Element (n, c, y, x) is
// Data[((n*C+c)*H+y)*W+x].
type Tensor struct {
	N, C, H, W int
	Data       []float32
}

// NewTensor allocates a zero tensor of the given shape. It panics if a
// dimension is negative.
func NewTensor(n, c, h, w int) *Tensor {
	if n < 0 || c < 0 || h < 0 || w < 0 {
		panic(fmt.Sprintf("nn: negative tensor shape %d×%d×%d×%d", n, c, h, w))
	}
	return &Tensor{N: n, C: c, H: h, W: w, Data: make([]float32, n*c*h*w)}
}

// Clone returns a copy of t with its own data.
func (t *Tensor) Clone() *Tensor {
	c := *t
	c.Data = append([]float32(nil), t.Data[:t.Len()]...)
	return &c
}

// Len returns the number of elements, N·C·H·W.
func (t *Tensor) Len() int { return t.N * t.C * t.H * t.W }

// At returns element (n, c, y, x).
func (t *Tensor) At(n, c, y, x int) float32 {
	return t.Data[((n*t.C+c)*t.H+y)*t.W+x]
}

// Set stores v at element (n, c, y, x).
func (t *Tensor) Set(n, c, y, x int, v float32) {
	t.Data[((n*t.C+c)*t.H+y)*t.W+x] = v
}

// Plane returns channel c of image n, an H×W slice that shares t's storage.
func (t *Tensor) Plane(n, c int) []float32 {
	size := t.H * t.W
	off := (n*t.C + c) * size
	return t.Data[off : off+size : off+size]
}

// Zero sets every element to zero.
func (t *Tensor) Zero() { clear(t.Data) }

func (t *Tensor) String() string {
	return fmt.Sprintf("Tensor(%d×%d×%d×%d)", t.N, t.C, t.H, t.W)
}

// checkShape panics unless t is non-nil, has the given shape and a Data
// slice of matching length. layer and arg name the argument in the message.
func checkShape(layer, arg string, t *Tensor, n, c, h, w int) {
	checkData(layer, arg, t)
	if t.N != n || t.C != c || t.H != h || t.W != w {
		panic(fmt.Sprintf("nn: %s %s has shape %d×%d×%d×%d, expected %d×%d×%d×%d", layer, arg, t.N, t.C, t.H, t.W, n, c, h, w))
	}
}

// checkData panics if t is nil or its Data length does not match its shape.
func checkData(layer, arg string, t *Tensor) {
	if t == nil {
		panic(fmt.Sprintf("nn: %s %s is nil", layer, arg))
	}
	if t.N < 0 || t.C < 0 || t.H < 0 || t.W < 0 || len(t.Data) != t.Len() {
		panic(fmt.Sprintf("nn: %s %s has %d elements for shape %d×%d×%d×%d", layer, arg, len(t.Data), t.N, t.C, t.H, t.W))
	}
}

// checkDisjoint panics if the Data of a and b share memory.
func checkDisjoint(layer, argA string, a *Tensor, argB string, b *Tensor) {
	if len(a.Data) == 0 || len(b.Data) == 0 {
		return
	}
	const size = unsafe.Sizeof(float32(0))
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a.Data)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b.Data)))
	if a0 < b0+uintptr(len(b.Data))*size && b0 < a0+uintptr(len(a.Data))*size {
		panic(fmt.Sprintf("nn: %s %s and %s share memory", layer, argA, argB))
	}
}

// checkSameOrDisjoint panics if the Data of a and b overlap without being
// the same slice: an element-wise operation may write its result over its
// argument, but not shifted.
func checkSameOrDisjoint(layer, argA string, a *Tensor, argB string, b *Tensor) {
	if len(a.Data) > 0 && len(a.Data) == len(b.Data) && unsafe.SliceData(a.Data) == unsafe.SliceData(b.Data) {
		return
	}
	checkDisjoint(layer, argA, a, argB, b)
}
