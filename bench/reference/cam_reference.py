#!/usr/bin/env python3
"""An independent Grad-CAM of a GAN Focus discriminator checkpoint, in PyTorch.

It reads the tfjs layers model (model.json + weights.bin) itself, rebuilds D
from the topology (Conv2D with TensorFlow's 'same'/'valid' padding worked out
from the shapes, BatchNormalization in eval mode, LeakyReLU, Flatten), and
computes the CAMs as pytorch-grad-cam defines them (jacobgil/pytorch-grad-cam
1.5.5: base_cam.py, grad_cam.py, grad_cam_plusplus.py, hirescam.py,
layer_cam.py, utils/image.py scale_cam_image), with F.interpolate(bilinear,
align_corners=False) for the resize (half-pixel centres, as cv2.resize).

Nothing here shares code with src/main/engine/explain: it is the check that the
product's CAMs (and their edges) are what the definitions give.

Usage (Debian's torch: /usr/bin/python3 with python3-torch):
  cam_reference.py --checkpoint D/model.json --images images.f32 --layer block2 \
      --method gradcam++ --out cams.f32 [--target real|fake] [--pp-sum positive|all]
images.f32: N x 64 x 64 float32 in [-1, 1] (row-major); cams.f32: N x 64 x 64 in [0, 1].
Prints one JSON line: {"n": N, "layer": ..., "method": ..., "scores": [...]}.
"""
import argparse
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F


def load_layers(model_json):
    with open(model_json) as f:
        m = json.load(f)
    folder = os.path.dirname(model_json)
    weights = {}
    for group in m["weightsManifest"]:
        blob = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            if w["dtype"] != "float32":
                raise SystemExit(f"weight {w['name']} is {w['dtype']}, expected float32")
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            arr = np.frombuffer(blob, dtype="<f4", count=count, offset=offset).reshape(w["shape"])
            weights[w["name"]] = torch.from_numpy(arr.copy())
            offset += 4 * count
    return m["modelTopology"]["config"]["layers"], weights


def same_padding(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def run_layer(layer, weights, x):
    """One tfjs layer on an NCHW tensor."""
    cls, cfg, name = layer["class_name"], layer["config"], layer["name"]
    if cls == "Conv2D":
        kernel = weights[f"{name}/kernel"].permute(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
        (kh, kw), (sh, sw) = cfg["kernel_size"], cfg["strides"]
        if cfg["padding"] == "same":
            top, bottom = same_padding(x.shape[2], kh, sh)
            left, right = same_padding(x.shape[3], kw, sw)
            x = F.pad(x, (left, right, top, bottom))
        bias = weights.get(f"{name}/bias") if cfg.get("use_bias") else None
        return F.conv2d(x, kernel, bias, stride=(sh, sw))
    if cls == "BatchNormalization":
        return F.batch_norm(
            x,
            weights[f"{name}/moving_mean"],
            weights[f"{name}/moving_variance"],
            weights.get(f"{name}/gamma"),
            weights.get(f"{name}/beta"),
            training=False,
            eps=cfg["epsilon"],
        )
    if cls == "LeakyReLU":
        return F.leaky_relu(x, cfg["alpha"])
    if cls == "Flatten":
        return x.flatten(1)
    raise SystemExit(f"layer {name}: {cls} is not supported by this reference")


def cam_maps(method, A, g, pp_sum="positive"):
    """pytorch-grad-cam's channel-summed map [N, h, w], before the ReLU.
    gradcam++ with pp_sum "all" is pytorch-grad-cam's alpha (sum of A); "positive"
    (GAN Focus) sums ReLU(A), the maps the formula was derived for."""
    if method == "gradcam":
        return (g.mean(dim=(2, 3), keepdim=True) * A).sum(1)
    if method == "gradcam++":
        g2 = g**2
        g3 = g2 * g
        sum_a = (A if pp_sum == "all" else torch.relu(A)).sum(dim=(2, 3), keepdim=True)
        aij = g2 / (2 * g2 + sum_a * g3 + 1e-7)
        aij = torch.where(g != 0, aij, torch.zeros_like(aij))
        w = (torch.relu(g) * aij).sum(dim=(2, 3), keepdim=True)
        return (w * A).sum(1)
    if method == "hirescam":
        return (g * A).sum(1)
    if method == "layercam":
        return (torch.relu(g) * A).sum(1)
    raise SystemExit(f"unknown method {method}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--layer", required=True)
    p.add_argument("--method", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--target", default="real", choices=["real", "fake"])
    p.add_argument("--pp-sum", default="positive", choices=["positive", "all"], help="gradcam++: sum ReLU(A) (GAN Focus) or A (pytorch-grad-cam)")
    a = p.parse_args()
    layers, weights = load_layers(a.checkpoint)
    images = np.fromfile(a.images, dtype="<f4").reshape(-1, 1, 64, 64)
    x = torch.from_numpy(images.copy())
    for w in weights.values():
        w.requires_grad_(False)
    x.requires_grad_(True)
    acts = None
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            continue
        x = run_layer(layer, weights, x)
        if layer["name"] == a.layer:
            x.retain_grad()
            acts = x
    if acts is None:
        raise SystemExit(f"no layer {a.layer}")
    score = x.reshape(-1) if a.target == "real" else -x.reshape(-1)
    score.sum().backward()
    with torch.no_grad():
        m = torch.relu(cam_maps(a.method, acts, acts.grad, a.pp_sum))
        up = F.interpolate(m[:, None], size=(64, 64), mode="bilinear", align_corners=False)[:, 0]
        lo = up.amin(dim=(1, 2), keepdim=True)
        hi = up.amax(dim=(1, 2), keepdim=True)
        cam = torch.where(hi - lo > 1e-6 * hi, (up - lo) / (hi - lo).clamp_min(1e-30), torch.where(hi > 0, torch.ones_like(up), torch.zeros_like(up)))
    cam.numpy().astype("<f4").tofile(a.out)
    print(json.dumps({"n": int(x.shape[0]), "layer": a.layer, "method": a.method, "scores": x.reshape(-1).tolist()}))


if __name__ == "__main__":
    main()
