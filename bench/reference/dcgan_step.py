#!/usr/bin/env python3
"""PyTorch reference for GAN Focus' benchmark: the same DCGAN (batch 64, 64x64x1,
k4/s2/p1 convolutions, BatchNorm, no biases), one training iteration as in
PyTorch's DCGAN example (D on real and on G(z).detach(), then G), and one
Grad-CAM batch as GAN Focus computes it (src/main/engine/explain): D in eval
mode to the deepest block with a map larger than 1x1, the gradient of the logit
with respect to that block's activations, channel weights (spatial mean),
weighted sum, ReLU, bilinear resize to 64x64, per-image min-max to [0, 1],
copied out of the framework.

Run with Debian's torch (/usr/bin/python3, python3-torch + libopenblas0-pthread).
It configures itself at its best on this machine: OpenBLAS single-threaded and
torch's own pool on every core (two pools on the same cores fight), and for each
case keeps the faster of the default (NCHW) and channels_last memory formats.

Prints one JSON object per line:
  {"case": "train-dcgan5", "width": 16, "ms": ..., "format": "...", "threads": 2, ...}
"""
import os

# Must be set before torch (and its OpenBLAS) is loaded.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))

import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NZ = 100
BATCH = 64


def generator(ngf):
    return nn.Sequential(
        nn.ConvTranspose2d(NZ, ngf * 8, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
        nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1, bias=False), nn.Tanh(),
    )


def discriminator(ndf, arch):
    """Returns (features up to the Grad-CAM target block, head to the logit)."""
    blocks = [nn.Conv2d(1, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True)]
    depth = 3 if arch == "paper" else 4
    ch = ndf
    for _ in range(depth - 1):
        blocks += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.LeakyReLU(0.2, True)]
        ch *= 2
    side = 64 >> depth
    head = nn.Sequential(nn.Conv2d(ch, 1, side, 1, 0, bias=False), nn.Flatten())
    return nn.Sequential(*blocks), head


class D(nn.Module):
    def __init__(self, ndf, arch):
        super().__init__()
        self.features, self.head = discriminator(ndf, arch)

    def forward(self, x):
        return self.head(self.features(x))


def init_weights(m):
    name = m.__class__.__name__
    if "Conv" in name:
        nn.init.normal_(m.weight, 0.0, 0.02)
    elif "BatchNorm" in name:
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def train_case(width, arch, fmt, warmup, steps, device):
    torch.manual_seed(1)
    G, Dn = generator(width).to(device), D(width, arch).to(device)
    G.apply(init_weights)
    Dn.apply(init_weights)
    real = torch.rand(BATCH, 1, 64, 64, device=device) * 2 - 1
    z = torch.randn(BATCH, NZ, 1, 1, device=device)
    if fmt == "channels_last":
        G, Dn = G.to(memory_format=torch.channels_last), Dn.to(memory_format=torch.channels_last)
        real, z = real.contiguous(memory_format=torch.channels_last), z.contiguous(memory_format=torch.channels_last)
    optD = torch.optim.Adam(Dn.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(BATCH, 1, device=device), torch.zeros(BATCH, 1, device=device)

    def step():
        Dn.zero_grad(set_to_none=True)
        err_real = bce(Dn(real), ones)
        err_real.backward()
        fake = G(z)
        err_fake = bce(Dn(fake.detach()), zeros)
        err_fake.backward()
        optD.step()
        G.zero_grad(set_to_none=True)
        err_g = bce(Dn(fake), ones)
        err_g.backward()
        optG.step()
        # float() waits for the device, as GAN Focus' step reads its losses.
        return float(err_real + err_fake), float(err_g)

    return timed(step, warmup, steps)


def gradcam_case(width, arch, fmt, warmup, steps, device):
    torch.manual_seed(1)
    Dn = D(width, arch).to(device)
    Dn.apply(init_weights)
    Dn.eval()
    x = torch.rand(BATCH, 1, 64, 64, device=device) * 2 - 1
    if fmt == "channels_last":
        Dn = Dn.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)

    def cam():
        with torch.no_grad():
            act = Dn.features(x)
        act.requires_grad_(True)
        logit = Dn.head(act)
        (grad,) = torch.autograd.grad(logit.sum(), act)
        with torch.no_grad():
            weights = grad.mean(dim=(2, 3), keepdim=True)
            cams = torch.relu((weights * act).sum(dim=1, keepdim=True))
            up = F.interpolate(cams, size=(64, 64), mode="bilinear", align_corners=False).flatten(1)
            lo, hi = up.min(dim=1, keepdim=True).values, up.max(dim=1, keepdim=True).values
            scaled = (up - lo) / torch.where(hi - lo > 0, hi - lo, torch.ones_like(hi))
            return scaled.cpu().numpy().copy()

    return timed(cam, warmup, steps)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--width", type=int, action="append", help="limit to these widths (repeatable)")
    p.add_argument("--arch", choices=["paper", "dcgan5"], action="append")
    p.add_argument("--kind", choices=["train", "gradcam"], action="append", help="limit to these cases (repeatable)")
    p.add_argument("--steps", type=int, default=0, help="timed iterations (default: by width)")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--device", default="cpu", help="torch device: cpu (default) or cuda (bench/gpu-check.sh)")
    args = p.parse_args()
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--device {args.device}: this torch ({torch.__version__}) sees no CUDA GPU")
    torch.set_num_threads(args.threads)
    widths = args.width or [16, 32, 64]
    archs = args.arch or ["dcgan5", "paper"]
    for arch in archs:
        for width in widths:
            steps = args.steps or {16: 8, 32: 5}.get(width, 3)
            # Grad-CAM batches are short: more of them, after as many warm-up
            # runs as bench/worker.ts gives its own (GRADCAM_WARMUP).
            for kind, fn, warmup, reps in (("train", train_case, 2, steps), ("gradcam", gradcam_case, 5, steps * 4)):
                if args.kind and kind not in args.kind:
                    continue
                best = None
                for fmt in ("contiguous", "channels_last"):
                    ms = fn(width, arch, fmt, warmup, reps, args.device)
                    if best is None or ms < best[0]:
                        best = (ms, fmt)
                print(json.dumps({
                    "case": f"{kind}-{arch}", "width": width, "ms": round(best[0], 2), "format": best[1],
                    "threads": torch.get_num_threads(), "torch": torch.__version__, "device": args.device,
                    "peakRssMB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                }), flush=True)


if __name__ == "__main__":
    main()
