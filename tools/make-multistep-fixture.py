#!/usr/bin/env python3
"""Writes test/fixtures/multistep-1ch.safetensors: several DINO steps with ONE AdamW, made with
the PyTorch reference (tools/torch_dino.py, imported, unmodified).

The `dump` fixtures check one step of a fresh optimizer; this one checks what a training run
relies on across steps: AdamW's moments and bias correction at step n > 1, the EMA teacher
drifting from the student, the center accumulating, clipping at every step.
Format `mini-dino-oracle-steps-v1`: student.<key> (= teacher at start), input.step{s}.crop{i},
losses [S], student_after.<key>, teacher_after.<key>, center_after; metadata `config` (the
torch_dino.py flag names, as mini-dino-oracle-v1) and `steps`.
Run: /usr/bin/python3 tools/make-multistep-fixture.py (from the repository root).
"""
import json
import sys
import types

import torch

sys.path.insert(0, "tools")
import torch_dino as R  # noqa: E402

STEPS = 5
cfg = types.SimpleNamespace(
    img=16, in_chans=1, patch=4, dim=16, depth=2, heads=2, mlp_ratio=4.0, out_dim=64,
    head_hidden=32, head_bottleneck=16, batch=3, global_crops=2, local_crops=2, local_img=8,
    student_temp=0.1, teacher_temp=0.04, center_momentum=0.9, ema=0.9, lr=0.01, wd=0.04,
    clip_grad=3.0)
torch.set_num_threads(1)
torch.manual_seed(0)
dt = torch.float64
student, teacher, loss_fn = R.build(cfg, dt)
opt = R.make_optimizer(student, cfg)
gen = torch.Generator().manual_seed(1)
T = {}
T.update(R.export_names({k: v.detach().clone() for k, v in student.state_dict().items()}, "student."))
losses = []
for s in range(STEPS):
    crops = R.make_crops(cfg, dt, gen)
    for i, c in enumerate(crops):
        T[f"input.step{s}.crop{i}"] = c
    loss, *_ = R.train_step(student, teacher, loss_fn, opt, crops, cfg)
    losses.append(loss.item())
T["losses"] = torch.tensor(losses, dtype=dt)
T.update(R.export_names(student.state_dict(), "student_after."))
T.update(R.export_names(teacher.state_dict(), "teacher_after."))
T["center_after"] = loss_fn.center.clone()
meta = {"format": "mini-dino-oracle-steps-v1", "config": json.dumps(R.cfg_dict(cfg)), "steps": str(STEPS),
        "torch": torch.__version__}
n = R.save_safetensors("test/fixtures/multistep-1ch.safetensors", T, meta)
print(f"wrote test/fixtures/multistep-1ch.safetensors: {n} bytes, losses {losses}")
