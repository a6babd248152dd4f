// Package operators will hold the toolkit's forward models: linear operators
// on maps with Apply and Adjoint (the flat-sky shear operator, PSF
// convolution, masks, and their compositions), each passing a dot-product
// adjoint test.
//
// TODO: nothing is implemented yet; the Kaiser-Squires transform in package
// kaiser is the only shear operator so far.
package operators
