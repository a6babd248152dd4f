"""The PyTorch reference for nn.BenchmarkConv2D: a 3x3 convolution from 32
to 32 channels with 'same' zero padding and a bias, float32, on two threads.

For each image size (128, 360) and batch size (1, 8) it times
- forward: the convolution alone, under torch.no_grad();
- forward+backward: the convolution and out.backward(g), which computes the
  gradients with respect to the input, the weights and the bias.

Run with Debian's PyTorch (python3-torch):
/usr/bin/python3 bench/conv_torch.py [REPS]
Prints one line per case, "torch <case> size=S batch=B ms=T reps=R", where T
is the median of R timed calls (default 7) after two untimed ones.
"""
import sys
import time

import torch


def median_ms(fn, reps):
    for _ in range(2):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return 1000 * times[len(times) // 2]


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    torch.set_num_threads(2)
    torch.manual_seed(1)
    channels = 32
    for size in (128, 360):
        for batch in (1, 8):
            conv = torch.nn.Conv2d(channels, channels, 3, padding="same")
            x = torch.randn(batch, channels, size, size, requires_grad=True)
            g = torch.randn(batch, channels, size, size)

            def forward():
                with torch.no_grad():
                    conv(x)

            def forward_backward():
                x.grad = None
                conv.zero_grad(set_to_none=True)
                conv(x).backward(g)

            for case, fn in (("forward", forward), ("forward+backward", forward_backward)):
                ms = median_ms(fn, reps)
                print(f"torch {case} size={size} batch={batch} ms={ms:.4f} reps={reps}", flush=True)


if __name__ == "__main__":
    main()
