#!/usr/bin/env python3
"""One DINO training step of the PyTorch reference on a GPU, timed as mini-dino's bench step.

The reference script (torch_dino.py, the PyTorch yardstick of bench/step.ts; its path in the
TORCH_DINO environment variable) builds the model, optimizer and crops on the CPU; this wrapper
moves them to CUDA, runs its train_step and waits for the device after every step
(torch.cuda.synchronize), so a step's time is the device's, not the time to queue it. Without
CUDA it runs on the CPU (to check the wrapper itself).

Usage: TORCH_DINO=path/to/torch_dino.py python3 bench/torch_cuda_step.py --config small
       [--steps 20] [--warmup 5]
Prints one JSON line: {"config", "device", "msPerStep" (median), "imgPerSec", "steps"}.
"""
import argparse
import importlib.util
import json
import os
import statistics
import time

import torch

# the bench configurations of src/dino/bench-step.ts, as torch_dino.py flags
CONFIGS = {
    "tiny": "--img 28 --patch 4 --dim 64 --depth 4 --heads 4 --out-dim 1024 --head-hidden 2048 "
    "--head-bottleneck 256 --batch 32 --local-crops 4 --local-img 12",
    "small": "--img 32 --patch 4 --dim 192 --depth 6 --heads 3 --out-dim 4096 --head-hidden 2048 "
    "--head-bottleneck 256 --batch 64 --local-crops 6 --local-img 16",
    "recipe": "--in-chans 1 --img 28 --patch 7 --dim 64 --depth 4 --heads 4 --out-dim 1024 "
    "--head-hidden 256 --head-bottleneck 64 --batch 64 --local-crops 4 --local-img 14 "
    "--clip-grad 3",
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", choices=sorted(CONFIGS), default="small")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    args = ap.parse_args()
    path = os.environ.get("TORCH_DINO")
    if not path or not os.path.exists(path):
        raise SystemExit("torch_cuda_step.py: set TORCH_DINO to the path of torch_dino.py")
    spec = importlib.util.spec_from_file_location("torch_dino", path)
    td = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(td)

    parser_args = ["bench"] + CONFIGS[args.config].split()
    cfg = capture_cfg(td, parser_args)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(cfg.seed)
    student, teacher, loss_fn = td.build(cfg, torch.float32)
    student.to(device)
    teacher.to(device)
    loss_fn.to(device)
    opt = td.make_optimizer(student, cfg)
    crops = [c.to(device) for c in td.make_crops(cfg, torch.float32)]

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    times = []
    for i in range(args.warmup + args.steps):
        sync()
        t = time.perf_counter()
        td.train_step(student, teacher, loss_fn, opt, crops, cfg)
        sync()
        if i >= args.warmup:
            times.append(time.perf_counter() - t)
    ms = statistics.median(times) * 1e3
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    print(json.dumps({"config": args.config, "device": name, "torch": torch.__version__,
                      "msPerStep": ms, "imgPerSec": cfg.batch * 1e3 / ms, "steps": args.steps}))


def capture_cfg(td, argv):
    """torch_dino.py's parsed configuration for argv, without running its mode."""
    captured = {}
    real = td.run_bench
    td.run_bench = lambda cfg: captured.setdefault("cfg", cfg)
    try:
        td.main(argv)
    finally:
        td.run_bench = real
    return captured["cfg"]


if __name__ == "__main__":
    main()
