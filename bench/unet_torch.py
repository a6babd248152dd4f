"""The PyTorch reference for score.BenchmarkUNet: the same U-Net as
score.UNet with UNetConfig{Depth: 3, BaseChannels: 32, GroupNorm: true,
Activation: SiLU}, one image channel, float32, on two threads.

The network, level by level as score.UNet builds it:
- the input gets one more channel that contains the noise level sigma;
- each block is a 3x3 convolution ('same' zero padding, bias), a group
  normalisation (the fewest groups with at most 8 channels each, eps 1e-5)
  and SiLU;
- encoder level l (l = 0, 1, 2) has two blocks of 32·2^l channels, then 2x2
  average pooling; the bottleneck has two blocks of 256 channels;
- decoder level l upsamples by 2 (nearest neighbour), concatenates the
  encoder output of level l (skip channels first) and applies two blocks;
- a final 1x1 convolution maps 32 channels to 1.

For each image size (128, 360) and batch size (1, 8) it times
- forward: the network under torch.no_grad();
- forward+backward: the network and out.backward(g), which computes the
  gradients of the parameters and of the input.

Run with Debian's PyTorch (python3-torch):
/usr/bin/python3 bench/unet_torch.py [REPS]
Prints the parameter count, then one line per case, "torch <case> size=S
batch=B ms=T reps=R", where T is the median of R timed calls (default 5)
after two untimed ones.
"""
import sys

import torch
from torch import nn

from conv_torch import median_ms


def groups(channels):
    g = 1
    while channels % g != 0 or channels // g > 8:
        g += 1
    return g


def block(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding="same"),
        nn.GroupNorm(groups(cout), cout, eps=1e-5),
        nn.SiLU(),
    )


class UNet(nn.Module):
    def __init__(self, depth=3, base=32, cin=1, cout=1):
        super().__init__()
        ch = [base << l for l in range(depth + 1)]
        self.enc = nn.ModuleList()
        prev = cin + 1
        for l in range(depth):
            self.enc.append(nn.Sequential(block(prev, ch[l]), block(ch[l], ch[l])))
            prev = ch[l]
        self.mid = nn.Sequential(block(prev, ch[depth]), block(ch[depth], ch[depth]))
        self.dec = nn.ModuleList(
            nn.Sequential(block(ch[l + 1] + ch[l], ch[l]), block(ch[l], ch[l])) for l in range(depth)
        )
        self.final = nn.Conv2d(base, cout, 1)
        self.pool = nn.AvgPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")

    def forward(self, x, sigma):
        s = sigma.view(-1, 1, 1, 1).expand(x.shape[0], 1, x.shape[2], x.shape[3])
        x = torch.cat([x, s], dim=1)
        skips = []
        for level in self.enc:
            x = level(x)
            skips.append(x)
            x = self.pool(x)
        x = self.mid(x)
        for l in reversed(range(len(self.dec))):
            x = self.dec[l](torch.cat([skips[l], self.up(x)], dim=1))
        return self.final(x)


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.set_num_threads(2)
    torch.manual_seed(1)
    net = UNet()
    print(f"parameters {sum(p.numel() for p in net.parameters())}", flush=True)
    for size in (128, 360):
        for batch in (1, 8):
            x = torch.randn(batch, 1, size, size, requires_grad=True)
            sigma = torch.ones(batch)
            g = torch.randn(batch, 1, size, size)

            def forward():
                with torch.no_grad():
                    net(x, sigma)

            def forward_backward():
                x.grad = None
                net.zero_grad(set_to_none=True)
                net(x, sigma).backward(g)

            for case, fn in (("forward", forward), ("forward+backward", forward_backward)):
                ms = median_ms(fn, reps)
                print(f"torch {case} size={size} batch={batch} ms={ms:.4f} reps={reps}", flush=True)


if __name__ == "__main__":
    main()
