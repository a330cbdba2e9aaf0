"""`python -m training ...`: train, export and evaluate the models.

    python -m training pose --model paf|lstm_pm [--preset cpu|gpu|ci] [--steps N] [--resume]
    python -m training export pose [--checkpoints DIR] [--out models/]
    python -m training eval pose [--models models/] [--max-frames N]
    python -m training classifier [--preset cpu|gpu|ci] [--epochs N] [--no-real]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CACHE = Path.home() / ".cache" / "drillscore"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pose", help="train a pose model on pushfit frames")
    p.add_argument("--model", choices=["paf", "lstm_pm"], default="paf")
    p.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    p.add_argument("--steps", type=int)
    p.add_argument("--out", type=Path, help="checkpoint (default checkpoints/pose_<model>.pt)")
    p.add_argument("--data", type=Path, default=DATA / "pushfit")
    p.add_argument("--cache", type=Path, default=CACHE / "pushfit_frames")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init", type=Path, help="start from matching weights of another checkpoint")
    p.add_argument("--threads", type=int)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--val-every", type=int, default=250)
    p.add_argument("--lr", type=float, help="peak learning rate (default: the preset's; lower it to fine-tune)")
    p.add_argument("--temporal-weight", type=float, default=0.0,
                   help="LSTM-PM: weight of the frame-to-frame change term (lower jitter)")
    p.add_argument("--freeze", action="store_true",
                   help="LSTM-PM: keep the backbone and ConvNet1 from --init; train the memory and generator")
    p.add_argument("--paf-weight", type=float, default=1.0, help="scale of the PAF loss term")
    p.add_argument("--synth", type=int, help="rendered synthetic clips to add (default: the preset's)")
    p.add_argument("--coco", type=Path, help="COCO person_keypoints JSON to add to the training set (paf model)")
    p.add_argument("--coco-images", type=Path, help="folder of the COCO images")
    e = sub.add_parser("export", help="export trained checkpoints to ONNX + model cards")
    e.add_argument("what", choices=["pose", "classifier"])
    e.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    e.add_argument("--out", type=Path, default=ROOT / "models")
    v = sub.add_parser("eval", help="evaluate exported models on the validation clips")
    v.add_argument("what", choices=["pose"])
    v.add_argument("--models", type=Path, default=ROOT / "models")
    v.add_argument("--data", type=Path, default=DATA / "pushfit")
    v.add_argument("--cache", type=Path, default=CACHE / "pushfit_frames")
    v.add_argument("--threads", type=int)
    v.add_argument("--max-frames", type=int, help="per clip (quick look)")
    v.add_argument("--no-cards", action="store_true", help="do not write the metrics into the model cards")
    sub.add_parser("demo", help="render the bundled demo video (assets/demo/pushup_side_demo.mp4)")
    c = sub.add_parser("classifier", help="train the LSTM-attention standard/non-standard classifier")
    c.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    c.add_argument("--epochs", type=int)
    c.add_argument("--out", type=Path, default=ROOT / "checkpoints" / "lstm_attention.pt")
    c.add_argument("--data", type=Path, default=DATA / "pushfit")
    c.add_argument("--no-real", action="store_true", help="synthetic windows only (no pushfit)")
    c.add_argument("--threads", type=int)
    c.add_argument("--conditioning", choices=["onehot", "heads"], default="onehot",
                   help="category as a one-hot input (default) or one output head per category")
    a = ap.parse_args(argv)
    if a.cmd == "classifier":
        from training.classifier_train import train as train_classifier
        root = None if a.no_real else a.data
        if root is not None and not (root / "clips.csv").exists():
            print(f"note: {root}/clips.csv not found; training on synthetic windows only", file=sys.stderr)
            root = None
        r = train_classifier(a.preset, a.out, root, a.threads, epochs=a.epochs, conditioning=a.conditioning)
        print(f"{a.out}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                                       for k, v in r["figures"].items()))
        return 0
    if a.cmd == "demo":
        import numpy as np

        from training.synth import make_clip
        from training.synth.render import render_video
        clip = make_clip(2026, "pushup", "side", n_reps=6, fault_rate=0.35, noise=0.0)
        out = ROOT / "assets" / "demo" / "pushup_side_demo.mp4"
        k = render_video(clip, out, np.random.default_rng(7))
        print(f"{out}: {len(k)} frames at {clip.fps / 2:g} fps, {clip.count_total} reps "
              f"({clip.count_standard} standard) in the ground truth")
        return 0
    if a.cmd in ("eval", "pose") and not (a.data / "clips.csv").exists():
        print(f"error: {a.data}/clips.csv not found; point --data at the pushfit folder", file=sys.stderr)
        return 2
    if a.cmd == "eval":
        from training.eval_pose import run
        res = run(a.models, a.cache, a.data, a.threads, a.max_frames, not a.no_cards)
        f = lambda v, spec: "n/a" if v is None else format(v, spec)
        for name, r in res.items():
            print(f"{name}: PCK@0.2 {r['pck@0.2_mean']:.3f} over {r['scored_joints']} joints in {r['frames']} frames; "
                  f"jitter {f(r['jitter_accel'], '.4f')} (labels {f(r['label_jitter_accel'], '.4f')}); "
                  f"{f(r['ms_per_frame_total'], '.1f')} ms/frame")
            print("  per joint: " + ", ".join(f"{k} {v:.2f}" for k, v in r["pck@0.2_per_joint"].items()))
        return 0
    if a.cmd == "export" and a.what == "classifier":
        from training.export_classifier import export as export_classifier
        ck = a.checkpoints / "lstm_attention.pt"
        if not ck.exists():
            print(f"error: {ck} not found (train it with `python -m training classifier`)", file=sys.stderr)
            return 2
        card = export_classifier(ck, a.out)
        print(f"{a.out}/lstm_attention.onnx: parity max abs diff {card['parity_max_abs_diff']:.2e}, "
              f"sha256 {card['sha256'][:12]}")
        return 0
    if a.cmd == "export":
        from training.export_pose import export
        for kind in ("paf", "lstm_pm"):
            ck = a.checkpoints / f"pose_{kind}.pt"
            if not ck.exists():
                print(f"skip {kind}: {ck} not found (train it with `python -m training pose --model {kind}`)")
                continue
            card = export(kind, ck, a.out)
            print(f"{a.out}/pose_{kind}.onnx: parity max abs diff {card['parity_max_abs_diff']:.2e}, "
                  f"sha256 {card['sha256'][:12]}")
        return 0
    if a.cmd == "pose":
        from training.pose_train import train
        out = a.out or ROOT / "checkpoints" / f"pose_{a.model}.pt"
        if bool(a.coco) != bool(a.coco_images):
            print("error: --coco and --coco-images go together", file=sys.stderr)
            return 2
        r = train(a.model, a.preset, out, a.data, a.cache, a.steps, a.resume, a.threads, workers=a.workers,
                  val_every=a.val_every, init=a.init, coco=(a.coco, a.coco_images) if a.coco else None, synth=a.synth,
                  paf_weight=a.paf_weight, lr=a.lr, temporal_weight=a.temporal_weight,
                  freeze=a.freeze)
        print(f"{out}: step {r['step']}, validation PCK@0.2 (heatmap argmax) {r['val_pck']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
