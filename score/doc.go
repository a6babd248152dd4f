// Package score will hold the learned parts of the toolkit: the
// noise-conditional U-Net, its training by denoising score matching, and the
// posterior samplers that use it.
//
// TODO: nothing is implemented yet.
package score
