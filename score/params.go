package score

import (
	"fmt"

	"github.com/skyinv/skyinv/nn"
)

// Parameter is one weight or bias array of a UNet with the gradient that
// Backward adds to. Value and Grad share memory with the layer, so an
// optimiser updates the network by writing to Value.
type Parameter struct {
	// Name is the layer and role, such as "enc0.block1.conv.weight",
	// "mid.block0.norm.bias" or "final.conv.weight".
	Name        string
	Value, Grad []float32
}

// Parameters returns every weight and bias of u, encoder levels first,
// then the bottleneck, the decoder from the top level down, and the final
// convolution. The order and names are the same for every call and every
// UNet of one configuration.
func (u *UNet) Parameters() []Parameter {
	var ps []Parameter
	for l, pair := range u.enc {
		ps = appendBlocks(ps, fmt.Sprintf("enc%d", l), pair)
	}
	ps = appendBlocks(ps, "mid", u.mid)
	for l, pair := range u.dec {
		ps = appendBlocks(ps, fmt.Sprintf("dec%d", l), pair)
	}
	return appendConv(ps, "final.conv", u.final)
}

func appendBlocks(ps []Parameter, prefix string, pair [2]*block) []Parameter {
	for i, b := range pair {
		name := fmt.Sprintf("%s.block%d", prefix, i)
		ps = appendConv(ps, name+".conv", b.conv)
		if b.norm != nil {
			ps = append(ps,
				Parameter{name + ".norm.weight", b.norm.Weight, b.norm.WeightGrad},
				Parameter{name + ".norm.bias", b.norm.Bias, b.norm.BiasGrad})
		}
	}
	return ps
}

func appendConv(ps []Parameter, name string, c *nn.Conv2D) []Parameter {
	return append(ps,
		Parameter{name + ".weight", c.Weight, c.WeightGrad},
		Parameter{name + ".bias", c.Bias, c.BiasGrad})
}

// ZeroGrad sets every parameter gradient to zero. Call it between
// optimiser steps, because Backward adds to the gradients.
func (u *UNet) ZeroGrad() {
	for _, pair := range u.enc {
		pair[0].zeroGrad()
		pair[1].zeroGrad()
	}
	u.mid[0].zeroGrad()
	u.mid[1].zeroGrad()
	for _, pair := range u.dec {
		pair[0].zeroGrad()
		pair[1].zeroGrad()
	}
	u.final.ZeroGrad()
}
