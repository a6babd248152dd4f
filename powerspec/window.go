package powerspec

import "math"

// window returns the observed pixels tapered over widthPix pixels inside
// the edges of the observed region:
//
//	w = ½ (1 − cos(π d / widthPix))   for d < widthPix,
//	w = 1                             for d ≥ widthPix,
//
// with d the distance in pixels from a pixel's centre to the centre of the
// nearest unobserved pixel, pixels outside the map included, and w = 0 on
// unobserved pixels. widthPix = 0 gives the mask itself.
func window(observed []bool, nx, ny int, widthPix float64) []float64 {
	w := make([]float64, len(observed))
	if widthPix == 0 {
		for i, ok := range observed {
			if ok {
				w[i] = 1
			}
		}
		return w
	}
	d := distanceToUnobserved(observed, nx, ny)
	for i, ok := range observed {
		switch {
		case !ok:
		case d[i] >= widthPix:
			w[i] = 1
		default:
			w[i] = 0.5 * (1 - math.Cos(math.Pi*d[i]/widthPix))
		}
	}
	return w
}

// distanceToUnobserved returns the Euclidean distance in pixels from the
// centre of every pixel of an nx × ny map to the centre of the nearest
// unobserved pixel, the pixels just outside the map included. The distance
// is 0 on unobserved pixels and at least 1 elsewhere. It is the exact distance
// transform of Felzenszwalb & Huttenlocher (2012, Theory of Computing 8,
// 415–428), one pass along columns and one along rows, in O(nx ny) time.
func distanceToUnobserved(observed []bool, nx, ny int) []float64 {
	// Work on the map surrounded by a border of unobserved pixels, so that
	// every column and row of the padded map holds one.
	px, py := nx+2, ny+2
	sq := make([]float64, px*py) // squared distances, index y*px + x

	// Columns: the squared distance to the nearest unobserved pixel of the
	// same column, from a sweep up and a sweep down.
	for x := range px {
		last := -1 // row of the last unobserved pixel seen
		for y := range py {
			if !paddedObserved(observed, nx, ny, x, y) {
				last = y
				sq[y*px+x] = 0
				continue
			}
			sq[y*px+x] = math.Inf(1)
			if last >= 0 {
				d := float64(y - last)
				sq[y*px+x] = d * d
			}
		}
		last = -1
		for y := py - 1; y >= 0; y-- {
			if sq[y*px+x] == 0 {
				last = y
				continue
			}
			if last >= 0 {
				d := float64(last - y)
				sq[y*px+x] = min(sq[y*px+x], d*d)
			}
		}
	}

	// Rows: the lower envelope of the parabolas (x − q)² + sq(q) of the
	// row's sites q, all finite after the column pass.
	f := make([]float64, px)
	sites := make([]int, px)        // sites of the parabolas in the envelope
	bounds := make([]float64, px+1) // the envelope uses sites[j] on [bounds[j], bounds[j+1])
	for y := range py {
		row := sq[y*px : (y+1)*px]
		copy(f, row)
		k := 0
		sites[0] = 0
		bounds[0], bounds[1] = math.Inf(-1), math.Inf(1)
		for q := 1; q < px; q++ {
			// s is where the parabola of q crosses that of the last site.
			// A site whose parabola lies above the new one from its bound
			// on leaves the envelope. The loop stops at the first site at
			// the latest, because bounds[0] = −∞.
			s := crossing(f, q, sites[k])
			for s <= bounds[k] {
				k--
				s = crossing(f, q, sites[k])
			}
			k++
			sites[k] = q
			bounds[k] = s
			bounds[k+1] = math.Inf(1)
		}
		k = 0
		for x := range px {
			for bounds[k+1] < float64(x) {
				k++
			}
			d := float64(x - sites[k])
			row[x] = d*d + f[sites[k]]
		}
	}

	d := make([]float64, nx*ny)
	for y := range ny {
		for x := range nx {
			d[y*nx+x] = math.Sqrt(sq[(y+1)*px+x+1])
		}
	}
	return d
}

// crossing returns the abscissa where the parabolas (x − q)² + f[q] and
// (x − v)² + f[v] meet, for v < q.
func crossing(f []float64, q, v int) float64 {
	return ((f[q] + float64(q*q)) - (f[v] + float64(v*v))) / float64(2*(q-v))
}

// paddedObserved reports whether pixel (x, y) of the padded map, which has
// one unobserved pixel on each side, is observed.
func paddedObserved(observed []bool, nx, ny, x, y int) bool {
	if x == 0 || y == 0 || x == nx+1 || y == ny+1 {
		return false
	}
	return observed[(y-1)*nx+x-1]
}
