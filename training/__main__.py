"""`python -m training ...`: train, export and evaluate the models.

    python -m training pose --model paf|lstm_pm [--preset cpu|gpu|ci] [--steps N] [--resume]
    python -m training export pose|classifier|recogniser|smoother|lifter [--checkpoints DIR] [--out models/]
    python -m training eval pose|classifier|recogniser|smoother|lifter [--models models/]
    python -m training classifier [--preset cpu|gpu|ci] [--epochs N] [--no-real]
    python -m training recogniser [--preset cpu|gpu|ci] [--steps N]
    python -m training smoother [--preset cpu|gpu|ci] [--steps N]
    python -m training lifter [--preset cpu|gpu|ci] [--steps N] [--actions pushup,pullup,situp,all] [--causal]
    python -m training teacher VIDEO|FOLDER [--cache DIR]   (reference tracks from mediapipe 0.10.14)
    python -m training crop-pose [--minutes M] [--steps N] [--resume] [--device cuda]   (the subject-crop model)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
CACHE = Path.home() / ".cache" / "drillscore"
DEMO_SEED = 2056  # `python -m training demo`: see there why this seed


def _fmt(figures: dict) -> str:
    return ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())


def _export_temporal(what: str, checkpoints: Path, out: Path) -> int:
    from training import export_temporal as X
    if what == "lifter":
        chosen = X.choose_lifters(checkpoints)
        causal = checkpoints / "lifter_all_causal.pt"
        if not chosen and not causal.exists():
            print(f"error: no lifter checkpoints in {checkpoints} (train them with `python -m training lifter`)",
                  file=sys.stderr)
            return 2
        for ex, (ck, comparison) in chosen.items():
            card = X.export_lifter(ck, out, f"lifter_{ex}", ex, comparison)
            print(f"{out}/lifter_{ex}.onnx <- {ck.name} ({comparison['shipped']}): parity {card['parity_max_abs_diff']:.2e}")
        if causal.exists():
            card = X.export_lifter(causal, out, "lifter_causal", None, {})
            print(f"{out}/lifter_causal.onnx <- {causal.name}: parity {card['parity_max_abs_diff']:.2e}")
        return 0
    ck = checkpoints / {"recogniser": "pose_attention.pt", "smoother": "seq2seq.pt"}[what]
    if not ck.exists():
        print(f"error: {ck} not found (train it with `python -m training {what}`)", file=sys.stderr)
        return 2
    card = (X.export_recogniser if what == "recogniser" else X.export_smoother)(ck, out)
    print(f"{out}/{card['name']}.onnx: parity max abs diff {card['parity_max_abs_diff']:.2e}, sha256 {card['sha256'][:12]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pose", help="train a pose model on pushfit frames")
    p.add_argument("--model", choices=["paf", "lstm_pm"], default="paf")
    p.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    p.add_argument("--steps", type=int)
    p.add_argument("--out", type=Path, help="checkpoint (default checkpoints/pose_<model>.pt)")
    p.add_argument("--labels", choices=["pushfit", "teacher"], default="pushfit",
                   help="pushfit: MoveNet + MediaPipe agreement on pushfit; teacher: the reference teacher on "
                        "footage + pushfit (tracks from `python -m training teacher`)")
    p.add_argument("--data", type=Path, help="pushfit folder (default ../shared/data/pushfit), or the shared data "
                                             "folder with --labels teacher (default ../shared/data)")
    p.add_argument("--cache", type=Path, help="frame cache (default ~/.cache/drillscore/pushfit_frames or "
                                              "teacher_frames)")
    p.add_argument("--size", type=int, help="input size in px (default: the preset's); a multiple of 8")
    p.add_argument("--crop-share", type=float, default=0.0,
                   help="share of training images framed around the person (the app's crop pass)")
    p.add_argument("--weight", action="append", default=[], metavar="KIND=W",
                   help="--labels teacher: sampling weight of one kind of clip (pullup, situp, crunch, pushup, other, "
                        "pushfit), over training.data.teacher_frames.WEIGHTS; repeat for several")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init", type=Path, help="start from matching weights of another checkpoint, or of an "
                                             "exported models/pose_paf.onnx")
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
    cp = sub.add_parser("crop-pose", help="train the subject-crop pose model on teacher-labelled crops (resumable)")
    cp.add_argument("--preset", choices=["cpu", "ci"], default="cpu")
    cp.add_argument("--steps", type=int, help="length of the schedule (default: the preset's)")
    cp.add_argument("--minutes", type=float, help="stop after this many minutes (resume later with --resume)")
    cp.add_argument("--stop-at", type=int, help="stop at this step (a chunk that ends at a known place)")
    cp.add_argument("--synth", type=int, default=0, help="rendered synthetic clips to add (training.synth)")
    cp.add_argument("--resume", action="store_true")
    cp.add_argument("--dense", action="store_true",
                    help="3x the frames of pull-up, sit-up and crunch clips (training.data.crop_cache.DENSE_FRAMES)")
    cp.add_argument("--cut", type=float,
                    help="share of crops cut by a frame edge or a padding bar, the body beyond still taught (crop_train.cut_by_edge)")
    cp.add_argument("--captions", type=float, help="share of crops with caption text over them (augment.caption)")
    cp.add_argument("--out", type=Path, default=ROOT / "checkpoints" / "pose_crop.pt")
    cp.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    cp.add_argument("--device", default="cpu", help="cpu or cuda")
    cp.add_argument("--threads", type=int)
    e = sub.add_parser("export", help="export trained checkpoints to ONNX + model cards")
    e.add_argument("what", choices=["pose", "crop-pose", "classifier", "recogniser", "smoother", "lifter"])
    e.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    e.add_argument("--out", type=Path, default=ROOT / "models")
    v = sub.add_parser("eval", help="evaluate exported models on the validation clips")
    v.add_argument("what", choices=["pose", "classifier", "recogniser", "smoother", "lifter"])
    v.add_argument("--models", type=Path, default=ROOT / "models")
    v.add_argument("--data", type=Path, default=DATA / "pushfit")
    v.add_argument("--cache", type=Path, default=CACHE / "pushfit_frames")
    v.add_argument("--threads", type=int)
    v.add_argument("--max-frames", type=int, help="per clip (quick look)")
    v.add_argument("--no-cards", action="store_true", help="do not write the metrics into the model cards")
    v.add_argument("--no-videos", action="store_true",
                   help="pose: pushfit validation only (skip the hand-counted videos against the teacher)")
    v.add_argument("--only", choices=["pose_paf", "pose_lstm_pm", "pose_crop"],
                   help="pose: evaluate this model only (pose_crop: the app's crop path, pose_paf finding)")
    v.add_argument("--on", choices=["videos", "training"], default="videos",
                   help="pose: the held-out hand-counted videos (the headline), or the training footage clips "
                        "a rule of the pose path is chosen on (no cards written)")
    v.add_argument("--crop", choices=["auto", "on", "off", "refine"], default="auto",
                   help="pose: the stateless model's crop pass (auto: as its card says, as the app runs it)")
    sub.add_parser("demo", help="render the bundled demo video (assets/demo/pushup_side_demo.mp4)")
    c = sub.add_parser("classifier", help="train the LSTM-attention standard/non-standard classifier")
    c.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    c.add_argument("--epochs", type=int)
    c.add_argument("--out", type=Path, default=ROOT / "checkpoints" / "lstm_attention.pt")
    c.add_argument("--data", type=Path, default=DATA / "pushfit")
    c.add_argument("--no-real", action="store_true", help="synthetic windows only (no pushfit)")
    c.add_argument("--threads", type=int)
    c.add_argument("--synth", type=int, help="synthetic training seeds (default: the preset's)")
    c.add_argument("--own-tracks", action="store_true",
                   help="also train on our own pose model's tracks of the pushfit videos (made once, cached)")
    c.add_argument("--conditioning", choices=["onehot", "heads"], default="onehot",
                   help="category as a one-hot input (default) or one output head per category")
    cv = sub.add_parser("classifier-cv", help="k-fold clip cross-validation of the classifier on pushfit")
    cv.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    cv.add_argument("--folds", type=int, default=5)
    cv.add_argument("--epochs", type=int)
    cv.add_argument("--synth", type=int, help="synthetic training seeds (default: the preset's)")
    cv.add_argument("--data", type=Path, default=DATA / "pushfit")
    cv.add_argument("--threads", type=int)
    cv.add_argument("--own-tracks", action="store_true", help="train and test also on our own pose model's tracks")
    r = sub.add_parser("recogniser", help="train the pose-attention exercise / view recogniser")
    r.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    r.add_argument("--steps", type=int)
    r.add_argument("--out", type=Path, default=ROOT / "checkpoints" / "pose_attention.pt")
    r.add_argument("--repcount", type=Path, default=DATA / "repcount", help="RepCount poses for the real check")
    r.add_argument("--threads", type=int)
    r.add_argument("--bend-legs", action="store_true", help="bend the legs of pull-up windows (augmentation)")
    r.add_argument("--back-views", action="store_true", help="also show 30%% of windows as seen from behind")
    sm = sub.add_parser("smoother", help="train the seq2seq pose smoother (and tune the One-Euro baseline)")
    sm.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    sm.add_argument("--steps", type=int)
    sm.add_argument("--out", type=Path, default=ROOT / "checkpoints" / "seq2seq.pt")
    sm.add_argument("--threads", type=int)
    sm.add_argument("--accel-weight", type=float, default=2.0, help="weight of the acceleration loss term")
    sm.add_argument("--real", action="store_true",
                    help="also train on real pairs: our pose model's pushfit tracks -> agreement labels")
    sm.add_argument("--real-share", type=float, default=0.5, help="share of each batch from real pairs (with --real)")
    sm.add_argument("--data", type=Path, default=DATA / "pushfit")
    lf = sub.add_parser("lifter", help="train the 3D lifter per action and on all actions")
    lf.add_argument("--preset", choices=["cpu", "gpu", "ci"], default="cpu")
    lf.add_argument("--steps", type=int)
    lf.add_argument("--actions", default="pushup,pullup,situp,all", help="comma-separated: pushup, pullup, situp, all")
    lf.add_argument("--causal", action="store_true", help="the live variant (output = the last frame of its 27)")
    lf.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    lf.add_argument("--threads", type=int)
    t = sub.add_parser("teacher", help="reference pose tracks (BlazePose Full, mediapipe 0.10.14, its own venv)")
    t.add_argument("target", type=Path, help="a video or a folder of videos")
    t.add_argument("--cache", type=Path, default=CACHE / "teacher", help="where the tracks go (outside the repo)")
    a = ap.parse_args(argv)
    if a.cmd == "teacher":
        from training.teacher import TeacherError, teach
        try:
            paths = teach(a.target, a.cache)
        except TeacherError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"{len(paths)} teacher track(s) in {a.cache}")
        return 0
    if a.cmd == "smoother":
        from training.smoother_train import train as train_smoother
        real = None
        if a.real:
            if not (a.data / "clips.csv").exists():
                print(f"error: {a.data}/clips.csv not found; point --data at the pushfit folder", file=sys.stderr)
                return 2
            from training.data import pushfit
            from training.data.own_tracks import build
            build(a.data, [c.clip for c in pushfit.load_index(a.data)], CACHE / "pushfit_tracks", a.threads or 2)
            real = (a.data, CACHE / "pushfit_tracks")
        r = train_smoother(a.preset, a.out, a.steps, a.threads, accel_weight=a.accel_weight, real=real,
                           real_share=a.real_share)
        print(f"{a.out}: One-Euro {r['one_euro']}")
        for method, f in r["figures"].items():
            print(f"  {method:<13} " + _fmt(f))
        return 0
    if a.cmd == "lifter":
        from training.lifter_train import ACTIONS
        from training.lifter_train import train as train_lifter
        actions = [x.strip() for x in a.actions.split(",") if x.strip()]
        bad = [x for x in actions if x not in ACTIONS]
        if bad:
            print(f"error: unknown action {bad[0]!r}; choose from {', '.join(ACTIONS)}", file=sys.stderr)
            return 2
        for act in actions:
            out = a.checkpoints / f"lifter_{act}{'_causal' if a.causal else ''}.pt"
            r = train_lifter(a.preset, act, out, a.causal, a.steps, a.threads)
            for ex, f in r["figures"].items():
                print(f"{out.name}: {ex}: " + _fmt(f))
        return 0
    if a.cmd == "classifier-cv":
        if not (a.data / "clips.csv").exists():
            print(f"error: {a.data}/clips.csv not found; point --data at the pushfit folder", file=sys.stderr)
            return 2
        from training.classifier_train import cross_validate
        own = None
        if a.own_tracks:
            from training.data import pushfit
            from training.data.own_tracks import build
            own = CACHE / "pushfit_tracks"
            build(a.data, [c.clip for c in pushfit.load_index(a.data)], own, a.threads or 2)
        r = cross_validate(a.preset, a.data, a.folds, a.epochs, a.synth, a.threads, own)
        for f in r["folds"]:
            print(f"  fold {f['fold'] + 1}: {f['clips']} clips, clip accuracy {f['clip_acc']:.3f}, "
                  f"window AUC {f['window_auc']:.3f}"
                  + (f"; own tracks {f['own_clips']} clips, {f['own_clip_acc']:.3f}" if own else ""))
        print(f"{a.folds}-fold clip accuracy {r['clip_acc']:.3f} over {r['clips']} clips "
              f"(fold mean {r['fold_mean']:.3f} +- {r['fold_std']:.3f})"
              + (f"; own tracks {r['own_clip_acc']:.3f} over {r['own_clips']} clips" if own else ""))
        return 0
    if a.cmd == "recogniser":
        from training.recogniser_train import train as train_recogniser
        rc = a.repcount if (a.repcount / "annotations.json").exists() else None
        if rc is None:
            print(f"note: {a.repcount}/annotations.json not found; synthetic figures only", file=sys.stderr)
        r = train_recogniser(a.preset, a.out, rc, a.steps, a.threads, bend=a.bend_legs, back=a.back_views)
        print(f"{a.out}: " + _fmt(r["figures"]))
        return 0
    if a.cmd == "classifier":
        from training.classifier_train import train as train_classifier
        root = None if a.no_real else a.data
        if root is not None and not (root / "clips.csv").exists():
            print(f"note: {root}/clips.csv not found; training on synthetic windows only", file=sys.stderr)
            root = None
        own = None
        if a.own_tracks and root is not None:
            from training.data import pushfit
            from training.data.own_tracks import build
            own = CACHE / "pushfit_tracks"
            failed = build(root, [c.clip for c in pushfit.load_index(root)], own, a.threads or 2)
            if failed:
                print(f"note: no own track for {len(failed)} clips ({', '.join(failed[:5])}...)", file=sys.stderr)
        r = train_classifier(a.preset, a.out, root, a.threads, epochs=a.epochs, conditioning=a.conditioning,
                             synth=a.synth, own_tracks=own)
        print(f"{a.out}: " + _fmt(r["figures"]))
        return 0
    if a.cmd == "demo":
        import numpy as np

        from training.synth import make_clip
        from training.synth.render import render_video
        # Seed 2056 of 2026..2058 is the first whose render the shipped pose model reads exactly
        # (same reps, same verdicts as the ground truth, as the rules read the true track): a
        # demo must show the product counting right, not a measurement (that is real_eval's job).
        clip = make_clip(DEMO_SEED, "pushup", "side", n_reps=6, fault_rate=0.35, noise=0.0)
        out = ROOT / "assets" / "demo" / "pushup_side_demo.mp4"
        k = render_video(clip, out, np.random.default_rng(7))
        truth = {"seed": DEMO_SEED, "count_total": clip.count_total, "count_standard": clip.count_standard,
                 "standard": [bool(r.standard) for r in clip.reps], "fps": clip.fps / 2, "frames": len(k)}
        out.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1) + "\n")
        print(f"{out}: {len(k)} frames at {clip.fps / 2:g} fps, {clip.count_total} reps "
              f"({clip.count_standard} standard) in the ground truth ({out.with_suffix('.truth.json').name})")
        return 0
    if a.cmd == "eval" and a.what != "pose":
        from training.eval_temporal import run as run_eval
        res = run_eval(a.what, a.models, a.data.parent)
        for k, v in res.items():
            print(f"{a.what} {k}: " + (_fmt(v) if isinstance(v, dict) else (f"{v:.4f}" if isinstance(v, float) else str(v))))
        return 0
    if a.cmd == "crop-pose":
        from training.crop_train import run_cli
        return run_cli(a)
    if a.cmd == "export" and a.what == "crop-pose":
        from training.export_crop_pose import run_cli as export_crop
        return export_crop(a.checkpoints / "pose_crop.pt", a.out)
    if a.cmd == "export" and a.what in ("recogniser", "smoother", "lifter"):
        return _export_temporal(a.what, a.checkpoints, a.out)
    if a.cmd == "pose":
        if a.size is not None and (a.size < 64 or a.size % 8):
            print(f"error: --size {a.size}: give an input size of at least 64 px, a multiple of 8 (e.g. 256, 320)",
                  file=sys.stderr)
            return 2
        teacher = a.labels == "teacher"
        a.data = a.data or (DATA if teacher else DATA / "pushfit")
        a.cache = a.cache or CACHE / ("teacher_frames" if teacher else "pushfit_frames")
        need = a.data / ("footage/manifest.json" if teacher else "clips.csv")
        if not need.exists():
            print(f"error: {need} not found; point --data at the "
                  f"{'shared data folder' if teacher else 'pushfit folder'}", file=sys.stderr)
            return 2
    if a.cmd == "eval" and not (a.data / "clips.csv").exists():
        print(f"error: {a.data}/clips.csv not found; point --data at the pushfit folder", file=sys.stderr)
        return 2
    if a.cmd == "eval":
        from training.eval_pose import run
        res = run(a.models, a.cache, a.data, a.threads, a.max_frames, not a.no_cards, videos=not a.no_videos,
                  only=a.only, crop={"on": True, "off": False, "auto": None, "refine": "refine"}[a.crop], on=a.on)
        f = lambda v, spec: "n/a" if v is None else format(v, spec)
        for name, r in res.items():
            for ex, e in r.get("per_exercise", {}).items():
                print(f"{name} {ex:<6}: {e['videos']} videos, PCK@0.2 {e['pck@0.2']:.3f}, PCK@0.1 {e['pck@0.1']:.3f} "
                      f"against the teacher; jitter {f(e['jitter_accel'], '.4f')} (teacher "
                      f"{f(e['teacher_jitter_accel'], '.4f')}); same total as on the teacher's track "
                      f"{e['same_total_as_teacher']:.2f}; motion ratio {f(e.get('motion_ratio'), '.2f')}; "
                      f"{e['ms_per_frame_loop']:.1f} ms/frame in the pose loop")
            p = r.get("pushfit")
            if p is None:
                continue
            print(f"{name} pushfit: PCK@0.2 {p['pck@0.2_mean']:.3f} over {p['scored_joints']} joints in {p['frames']} "
                  f"frames; jitter {f(p['jitter_accel'], '.4f')} (labels {f(p['label_jitter_accel'], '.4f')})")
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
        try:
            weights = {k: float(v) for k, v in (w.split("=", 1) for w in a.weight)}
        except ValueError:
            print(f"error: --weight {a.weight}: give KIND=NUMBER, e.g. --weight pullup=8", file=sys.stderr)
            return 2
        r = train(a.model, a.preset, out, a.data, a.cache, a.steps, a.resume, a.threads, workers=a.workers,
                  val_every=a.val_every, init=a.init, coco=(a.coco, a.coco_images) if a.coco else None, synth=a.synth,
                  paf_weight=a.paf_weight, lr=a.lr, temporal_weight=a.temporal_weight,
                  freeze=a.freeze, labels=a.labels, crop_share=a.crop_share, size=a.size, sample_weights=weights)
        print(f"{out}: step {r['step']}, validation PCK@0.2 (heatmap argmax) {r['val_pck']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
