#!/usr/bin/python3
"""Training throughput of PyTorch (Debian python3-torch) on the same networks edgeforge-train
builds: MnasNet-A1 and MobileNetV2 from the MnasNet reference's block strings, NHWC
(channels_last), batch norm momentum/epsilon as TF, RMSProp, label smoothing 0.1, synthetic
data. Prints one line per (arch, threads): images/s over the timed steps.

    /usr/bin/python3 bench/train_pytorch.py --arch mnasnet-a1 mobilenet-v2 --threads 1 2 --image-size 32 --batch 128
"""
import argparse
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCKS = {
    "mnasnet-a1": ["r1_k3_s11_e1_i32_o16_noskip", "r2_k3_s22_e6_i16_o24", "r3_k5_s22_e3_i24_o40_se0.25",
                   "r4_k3_s22_e6_i40_o80", "r2_k3_s11_e6_i80_o112_se0.25", "r3_k5_s22_e6_i112_o160_se0.25",
                   "r1_k3_s11_e6_i160_o320"],
    "mobilenet-v2": ["r1_k3_s11_e1_i32_o16", "r2_k3_s22_e6_i16_o24", "r3_k3_s22_e6_i24_o32",
                     "r4_k3_s22_e6_i32_o64", "r3_k3_s11_e6_i64_o96", "r3_k3_s22_e6_i96_o160",
                     "r1_k3_s11_e6_i160_o320"],
}


def round_filters(filters, width, divisor=8):
    if width == 1.0:
        return filters
    filters *= width
    new = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if new < 0.9 * filters:
        new += divisor
    return int(new)


def decode(block):
    opts = dict(noskip="noskip" in block, se=0.0)
    for tok in block.split("_"):
        m = re.match(r"([a-z]+)(.*)", tok)
        key, val = m.group(1), m.group(2)
        if key == "r": opts["r"] = int(val)
        elif key == "k": opts["k"] = int(val)
        elif key == "s": opts["s"] = int(val[0])
        elif key == "e": opts["e"] = int(val)
        elif key == "i": opts["i"] = int(val)
        elif key == "o": opts["o"] = int(val)
        elif key == "se": opts["se"] = float(val)
    return opts


def bn(c):
    # TF's momentum 0.99 is PyTorch's 0.01.
    return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)


class Block(nn.Module):
    def __init__(self, cin, cout, k, s, e, se, skip, act):
        super().__init__()
        mid = cin * e
        layers = []
        if e != 1:
            layers += [nn.Conv2d(cin, mid, 1, bias=False), bn(mid), act()]
        layers += [nn.Conv2d(mid, mid, k, s, k // 2, groups=mid, bias=False), bn(mid), act()]
        self.pre = nn.Sequential(*layers)
        self.se = None
        if se > 0:
            r = max(1, int(cin * se))
            self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(mid, r, 1), nn.ReLU(),
                                    nn.Conv2d(r, mid, 1), nn.Sigmoid())
        self.post = nn.Sequential(nn.Conv2d(mid, cout, 1, bias=False), bn(cout))
        self.skip = skip and s == 1 and cin == cout

    def forward(self, x):
        y = self.pre(x)
        if self.se is not None:
            y = y * self.se(y)
        y = self.post(y)
        return x + y if self.skip else y


def build(arch, classes, channels, width=1.0):
    act = nn.ReLU6 if arch == "mobilenet-v2" else nn.ReLU
    stem = round_filters(32, width)
    layers = [nn.Conv2d(channels, stem, 3, 2, 1, bias=False), bn(stem), act()]
    for b in BLOCKS[arch]:
        o = decode(b)
        cin, cout = round_filters(o["i"], width), round_filters(o["o"], width)
        for r in range(o["r"]):
            layers.append(Block(cin if r == 0 else cout, cout, o["k"], o["s"] if r == 0 else 1, o["e"], o["se"],
                                not o["noskip"], act))
    layers += [nn.Conv2d(cout, 1280, 1, bias=False), bn(1280), act(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
               nn.Dropout(0.2), nn.Linear(1280, classes)]
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", nargs="+", default=["mnasnet-a1", "mobilenet-v2"])
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    for arch in a.arch:
        for t in a.threads:
            torch.set_num_threads(t)
            torch.manual_seed(0)
            model = build(arch, 10, a.channels).to(memory_format=torch.channels_last)
            model.train()
            opt = torch.optim.RMSprop(model.parameters(), lr=0.008, alpha=0.9, eps=1e-3, momentum=0.9,
                                      weight_decay=1e-5)
            x = torch.randn(a.batch, a.channels, a.image_size, a.image_size).to(memory_format=torch.channels_last)
            y = torch.randint(0, 10, (a.batch,))
            for step in range(a.warmup + a.steps):
                if step == a.warmup:
                    start = time.perf_counter()
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x), y, label_smoothing=0.1)
                loss.backward()
                opt.step()
            seconds = time.perf_counter() - start
            print(f"pytorch {torch.__version__} {arch} threads={t} batch={a.batch} size={a.image_size}: "
                  f"{a.steps * a.batch / seconds:.0f} images/s")


if __name__ == "__main__":
    main()
