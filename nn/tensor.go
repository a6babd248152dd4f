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
// slice of matching length; name identifies the argument in the message.
func checkShape(name string, t *Tensor, n, c, h, w int) {
	if t == nil {
		panic(fmt.Sprintf("nn: %s is nil", name))
	}
	if t.N != n || t.C != c || t.H != h || t.W != w {
		panic(fmt.Sprintf("nn: %s has shape %d×%d×%d×%d, expected %d×%d×%d×%d", name, t.N, t.C, t.H, t.W, n, c, h, w))
	}
	checkData(name, t)
}

// checkData panics if t's Data length does not match its shape.
func checkData(name string, t *Tensor) {
	if t == nil {
		panic(fmt.Sprintf("nn: %s is nil", name))
	}
	if t.N < 0 || t.C < 0 || t.H < 0 || t.W < 0 || len(t.Data) != t.Len() {
		panic(fmt.Sprintf("nn: %s has %d elements for shape %d×%d×%d×%d", name, len(t.Data), t.N, t.C, t.H, t.W))
	}
}

// checkDisjoint panics if the Data of a and b share memory.
func checkDisjoint(nameA string, a *Tensor, nameB string, b *Tensor) {
	if len(a.Data) == 0 || len(b.Data) == 0 {
		return
	}
	const size = unsafe.Sizeof(float32(0))
	a0 := uintptr(unsafe.Pointer(unsafe.SliceData(a.Data)))
	b0 := uintptr(unsafe.Pointer(unsafe.SliceData(b.Data)))
	if a0 < b0+uintptr(len(b.Data))*size && b0 < a0+uintptr(len(a.Data))*size {
		panic(fmt.Sprintf("nn: %s and %s share memory", nameA, nameB))
	}
}
