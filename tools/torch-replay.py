#!/usr/bin/env python3
"""Replays a DINO run recorded by tools/recipe-trace.ts with the PyTorch reference model
(torch_dino.py, imported unmodified) and compares the two step by step.

Same initial weights, same crops, same per-step schedules (lr, weight decay, teacher momentum,
teacher temperature), the official step order (main_dino.py train_one_epoch): teacher forward on
the 2 global crops, student forward on all crops, DINOLoss, center update, backward, per-tensor
clip, last-layer freeze, AdamW, EMA. Prints mini-dino's and PyTorch's loss, teacher entropy
h(P_t) and KL(P_t||P_s) every --every steps and per epoch; with --knn, the weighted k-NN@20 of
both final teachers (the one mini-dino wrote to final.safetensors and PyTorch's) on the embedded
Fashion-MNIST.

In float64 the two should agree to ~1e-10 for the first steps, then drift apart slowly (training
amplifies rounding differences); in float32 they drift after tens of steps, and what can be
compared is the behaviour (does the teacher stay near uniform?), not the digits.

Needs: Debian's python3-torch and python3-numpy (use /usr/bin/python3), and the reference
torch_dino.py (--reference PATH, or the TORCH_DINO variable as for tools/make-fixtures.sh).
Usage: /usr/bin/python3 tools/torch-replay.py DIR [--dtype float32|float64] [--steps N]
           [--every 10] [--knn] [--init-knn] [--threads 2] [--device cpu|cuda]
           [--json OUT.jsonl] [--schedule SCHEDULE_DIR]
"""
import argparse
import gzip
import importlib.util
import json
import math
import os
import struct
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_NP = {"F64": np.float64, "F32": np.float32, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(
            np.frombuffer(data[a:b], dtype=_NP[e["dtype"]]).reshape(e["shape"]).copy())
    return out


def load_reference(path):
    spec = importlib.util.spec_from_file_location("torch_dino", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reference_cfg(c, in_chans):
    """mini-dino's config (config.json) in torch_dino.py's names; custom ViTs only."""
    if c["arch"] != "custom" or c["headLayers"] != 3 or c["dropPathRate"] != 0:
        sys.exit("torch-replay: the reference model needs arch custom, 3 head layers, no drop path")
    if not c["normLastLayer"]:
        sys.exit("torch-replay: the reference freezes weight_g (norm_last_layer true)")
    return types.SimpleNamespace(
        img=c["globalCropSize"], in_chans=in_chans, patch=c["patchSize"], dim=c["embedDim"],
        depth=c["depth"], heads=c["numHeads"], mlp_ratio=c["mlpRatio"], out_dim=c["outDim"],
        head_hidden=c["headHiddenDim"], head_bottleneck=c["headBottleneckDim"],
        batch=c["batchSize"], global_crops=2, local_crops=c["localCropsNumber"],
        local_img=c["localCropSize"], student_temp=c["studentTemp"], teacher_temp=c["teacherTemp"],
        center_momentum=c["centerMomentum"], ema=c["momentumTeacher"], lr=0.0,
        wd=c["weightDecay"], clip_grad=c["clipGrad"])


class Crops:
    """step{s}.crop{i} from the crops-NNNN.safetensors files, one file in memory at a time."""

    def __init__(self, folder, dtype, device):
        self.folder, self.dtype, self.device, self.first, self.tensors = folder, dtype, device, None, {}

    def get(self, step, ncrops):
        first = step // 50 * 50
        if first != self.first:
            self.tensors = read_safetensors(os.path.join(self.folder, f"crops-{first:04d}.safetensors"))
            self.first = first
        return [self.tensors[f"step{step}.crop{i}"].to(self.device, self.dtype) for i in range(ncrops)]


def step(R, student, teacher, loss_fn, opt, crops, h, epoch, cfg, freeze_last_layer):
    for i, g in enumerate(opt.param_groups):
        g["lr"] = h["lr"]
        if i == 0:
            g["weight_decay"] = h["wd"]
    with torch.no_grad():
        t_out = teacher(crops[:2])
    s_out = student(crops)
    loss = loss_fn(s_out, t_out, h["teacherTemp"])
    with torch.no_grad():
        q = F.softmax((t_out - loss_fn.center) / h["teacherTemp"], dim=-1)
        entropy = -(q * torch.log(q + 1e-30)).sum(-1).mean().item()
    loss_fn.update_center(t_out)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    if cfg.clip_grad > 0:
        R.clip_gradients(student, cfg.clip_grad)
    if epoch < freeze_last_layer:
        for n, p in student.named_parameters():
            if "last_layer" in n:
                p.grad = None
    opt.step()
    with torch.no_grad():
        m = h["momentum"]
        for ps, pt in zip(student.parameters(), teacher.parameters()):
            pt.mul_(m).add_(ps.detach(), alpha=1.0 - m)
    lv = loss.item()
    return {"loss": lv, "teacherEntropy": entropy, "kl": lv - entropy}


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


@torch.no_grad()
def knn20(backbone, norm, dtype, T=0.07, k=20):
    """Weighted k-NN (eval_knn.py) of a backbone on the embedded Fashion-MNIST, 10k bank."""
    device = next(backbone.parameters()).device
    d = os.path.join(ROOT, "data", "fashion-mnist")
    feats = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        x = torch.from_numpy(read_idx(os.path.join(d, f"{prefix}-images-idx3-ubyte.gz")).copy())
        y = torch.from_numpy(read_idx(os.path.join(d, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64))
        y = y.to(device)
        x = ((x.to(device, dtype) / 255 - norm["mean"][0]) / norm["std"][0]).unsqueeze(1)
        f = torch.cat([backbone(x[i:i + 500]) for i in range(0, len(x), 500)])
        feats[split] = (F.normalize(f, dim=1), y)
    (tr, ytr), (te, yte) = feats["train"], feats["test"]
    correct = 0
    for i in range(0, len(te), 500):
        sim, idx = (te[i:i + 500] @ tr.T).topk(k, dim=1)
        votes = torch.zeros(sim.shape[0], 10, dtype=dtype, device=device)
        votes.scatter_add_(1, ytr[idx], (sim / T).exp())
        correct += (votes.argmax(1) == yte[i:i + 500]).sum().item()
    return correct / len(te)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--steps", type=int, default=0, help="0: every traced step")
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--knn", action="store_true")
    ap.add_argument("--init-knn", action="store_true",
                    help="also the k-NN of the initial weights (the same ViT at random init)")
    ap.add_argument("--device", default="cpu", help="torch device (cpu, cuda); TF32 is off")
    ap.add_argument("--json", default="", help="write PyTorch's per-step metrics here")
    ap.add_argument("--schedule", default="",
                    help="another trace dir whose config.json and trace.jsonl (schedules) to use "
                         "with this dir's weights and crops (a recipe-trace.ts --no-train run)")
    ap.add_argument("--reference", default=os.environ.get("TORCH_DINO", ""),
                    help="the PyTorch reference torch_dino.py (default: $TORCH_DINO)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if not a.reference or not os.path.isfile(a.reference):
        sys.exit(f"torch-replay: --reference: expected the PyTorch reference torch_dino.py, "
                 f"got '{a.reference}' (or set TORCH_DINO)")
    R = load_reference(a.reference)
    sched_dir = a.schedule or a.dir
    meta = json.load(open(os.path.join(sched_dir, "config.json")))
    c = meta["config"]
    trace = [json.loads(l) for l in open(os.path.join(sched_dir, "trace.jsonl")) if l.strip()]
    ours = "loss" in trace[0] and not a.schedule  # mini-dino's own monitors, to compare with
    nsteps = min(len(trace), a.steps or len(trace))
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    cfg = reference_cfg(c, meta["inChans"])
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    student, teacher, loss_fn = R.build(cfg, dtype)
    init = read_safetensors(os.path.join(a.dir, "init.safetensors"))
    missing = set(student.state_dict()) ^ set(init)
    if missing:
        sys.exit(f"torch-replay: key mismatch between init.safetensors and the reference: {sorted(missing)}")
    student.load_state_dict({k: v.to(dtype) for k, v in init.items()})
    teacher.load_state_dict(student.state_dict())
    student, teacher, loss_fn = student.to(a.device), teacher.to(a.device), loss_fn.to(a.device)
    if a.init_knn:
        print(f"k-NN@20 (10k bank): random init {knn20(teacher.backbone, meta['norm'], dtype):.4f}")
    opt = R.make_optimizer(student, cfg)
    crops = Crops(a.dir, dtype, a.device)
    ncrops = 2 + cfg.local_crops
    out = open(a.json, "w") if a.json else None
    print(f"replaying {nsteps} steps in {a.dtype} (mini-dino ran {meta['dtype']}); "
          f"columns: loss, h(P_t), KL for mini-dino | PyTorch")
    per_epoch = {}
    worst = 0.0
    for s in range(nsteps):
        h = trace[s]
        m = step(R, student, teacher, loss_fn, opt, crops.get(s, ncrops), h, h["epoch"], cfg,
                 c["freezeLastLayer"])
        if not ours:
            h = {**h, "loss": math.nan, "teacherEntropy": math.nan, "kl": math.nan}
        worst = max(worst, abs(m["loss"] - h["loss"]) / abs(h["loss"]))
        if out:
            out.write(json.dumps({"it": s, **m}) + "\n")
        e = per_epoch.setdefault(h["epoch"], [0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])
        e[0] += 1
        for j, v in enumerate((h["loss"], h["teacherEntropy"], h["kl"], m["loss"], m["teacherEntropy"], m["kl"])):
            e[1 + j] += v
        if s % a.every == 0 or s == nsteps - 1:
            print(f"step {s:4d} lr {h['lr']:.2e} m {h['momentum']:.5f} | "
                  f"{h['loss']:.6f} {h['teacherEntropy']:.4f} {h['kl']:.5f} | "
                  f"{m['loss']:.6f} {m['teacherEntropy']:.4f} {m['kl']:.5f} | "
                  f"worst rel. loss diff so far {worst:.1e}", flush=True)
    print(f"epoch means (ln K = {math.log(cfg.out_dim):.3f}): loss, h(P_t), KL  mini-dino | PyTorch")
    for ep, e in sorted(per_epoch.items()):
        n = e[0]
        print(f"epoch {ep}: {e[1]/n:.4f} {e[2]/n:.4f} {e[3]/n:.4f} | {e[4]/n:.4f} {e[5]/n:.4f} {e[6]/n:.4f}")
    final = os.path.join(a.dir, "final.safetensors")
    if a.knn and not ours:
        print(f"k-NN@20 (10k bank): PyTorch teacher {knn20(teacher.backbone, meta['norm'], dtype):.4f}")
    if ours and os.path.exists(final) and nsteps == len(trace):
        ours = read_safetensors(final)
        diffs = []
        for k, v in teacher.state_dict().items():
            o = ours["teacher." + k].to(a.device, dtype)
            diffs.append(((o - v).abs().max() / v.abs().max().clamp_min(1e-30)).item())
        print(f"teacher weights after step {nsteps}: worst relative difference {max(diffs):.2e}")
        if a.knn:
            ref_backbone = R.build(cfg, dtype)[0].backbone.to(a.device)
            ref_backbone.load_state_dict({k[len("teacher.backbone."):]: v.to(dtype) for k, v in ours.items()
                                          if k.startswith("teacher.backbone.")})
            print(f"k-NN@20 (10k bank): mini-dino teacher {knn20(ref_backbone, meta['norm'], dtype):.4f}, "
                  f"PyTorch teacher {knn20(teacher.backbone, meta['norm'], dtype):.4f}")


if __name__ == "__main__":
    main()
