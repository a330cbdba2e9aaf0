"""Distilling the reference teacher: its labels (masked, second opinion), the crop framing,
the shipped model's weights back into torch, the teacher-labelled training run end to end on
a tiny generated data tree, and the video figures against the teacher."""
import json

import cv2
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the train extra (torch) is not installed")

from app.core.skeleton import LIMBS, NUM_JOINTS
from training.data import augment
from training.data.teacher_frames import MIN_VIS, second_opinion, teacher_labels
from training.eval_pose_videos import jitter, pck_hits


def _figure(t, cx=80.0, cy=62.0, s=22.0):
    base = np.array([[0, -2.0], [-0.15, -2.1], [0.15, -2.1], [-0.3, -2.0], [0.3, -2.0], [-0.5, -1.4], [0.5, -1.4],
                     [-0.65, -0.7], [0.65, -0.7], [-0.7, -0.1], [0.7, -0.1], [-0.3, 0.0], [0.3, 0.0],
                     [-0.32, 0.9], [0.32, 0.9], [-0.33, 1.8], [0.33, 1.8]])
    return base * s + (cx + 3 * np.sin(t / 3), cy)


def test_low_visibility_and_off_image_teacher_joints_are_masked_not_background():
    kp = np.zeros((2, NUM_JOINTS, 3), np.float32)
    kp[..., :2] = _figure(0)
    kp[..., 2] = 0.9
    kp[0, 9, 2] = MIN_VIS - 0.1       # the teacher is unsure of a wrist
    kp[1, 15] = 0.0                    # an ankle outside the image (the teacher track zeroes it)
    lab = teacher_labels(kp)
    assert lab[0, 9, 2] == 0 and lab[1, 15, 2] == 0
    assert lab[0, 10, 2] == 1 and np.allclose(lab[0, 10, :2], kp[0, 10, :2])


def test_movenet_masks_a_teacher_joint_it_saw_clearly_elsewhere_only():
    lab = teacher_labels(np.concatenate([_figure(0), np.full((NUM_JOINTS, 1), 0.9)], 1)[None].astype(np.float32))
    mv = lab.copy()
    mv[0, :, 2] = 0.8
    mv[0, 7, :2] += 40.0       # MoveNet puts the left elbow far away, sure of it
    mv[0, 8, :2] += 40.0
    mv[0, 8, 2] = 0.1          # ... and the right elbow far away, unsure: no opinion
    mv[0, 9, :2] += 1.0        # the left wrist: agrees
    out = second_opinion(lab, mv)
    assert out[0, 7, 2] == 0 and out[0, 8, 2] == 1 and out[0, 9, 2] == 1


def test_a_crop_framing_makes_a_distant_person_fill_the_input():
    """A small person in a corner of a wide frame: around_person puts their joints across
    CROP_FILL of the input, near its centre, rotation included."""
    j = np.zeros((NUM_JOINTS, 3), np.float32)
    j[:, :2] = _figure(0, cx=1500, cy=300, s=60)  # 234 px of 1080: 31 px letterboxed
    j[:, 2] = 1
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = augment.around_person(augment.draw(rng), j, (1080, 1920), 256, rng)
        out = augment.apply_joints(j, (1080, 1920), 256, a)
        assert out[:, 2].all()  # nobody pushed out of the input
        if a.angle == 0:
            side = max(np.ptp(out[:, 0]), np.ptp(out[:, 1]))
            assert augment.CROP_FILL[0] * 256 - 1 <= side <= augment.CROP_FILL[1] * 256 + 1
        centre = (out[:, :2].min(0) + out[:, :2].max(0)) / 2
        assert np.all(np.abs(centre - 128) <= 0.1 * 256 + 1)


def test_phone_footage_augmentation_changes_pixels_not_geometry():
    img = np.full((120, 160, 3), 128, np.uint8)
    cv2.circle(img, (80, 60), 30, (20, 200, 90), -1)
    base = augment.apply_image(img, 128, augment.Aug())
    noisy = augment.apply_image(img, 128, augment.Aug(jpeg=15, noise=8.0))
    assert noisy.shape == base.shape and np.abs(noisy.astype(int) - base).mean() > 1.0
    assert np.abs(noisy.astype(int) - base).mean() < 20.0  # the same picture, degraded


def _exported_paf(tmp_path):
    from training.export_pose import export
    from training.nets.paf import STRIDE
    from training.pose_train import PRESETS, build_model, net_config
    cfg = PRESETS["ci"]
    torch.manual_seed(0)
    m = build_model("paf", cfg)
    for p in m.parameters():
        p.data.normal_(0, 0.2)
    for b in m.buffers():
        if b.dtype.is_floating_point:
            b.data.uniform_(0.5, 1.5)
    ck = tmp_path / "pose_paf.pt"
    torch.save({"kind": "paf", "preset": "ci", "net": net_config(m) | {"stages": cfg["stages"]}, "size": 64,
                "stride": STRIDE, "clip_len": 1, "model": m.state_dict(), "optim": {}, "step": 0, "history": [],
                "train_clips": ["a"], "val_clips": ["b"], "data": "test", "seed": 0}, ck)
    export("paf", ck, tmp_path)
    return tmp_path / "pose_paf.onnx"


def test_shipped_model_weights_come_back_into_torch_exactly(tmp_path):
    import onnxruntime as ort

    from training.onnx_weights import calibrate, load_folded
    from training.pose_train import PRESETS, build_model
    onnx_path = _exported_paf(tmp_path)
    m = build_model("paf", PRESETS["ci"]).eval()
    assert load_folded(m, onnx_path) > 10
    x = torch.rand(4, 3, 64, 64)
    ref = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]).run(None, {"image": x[:1].numpy()})
    with torch.no_grad():
        heat, paf = m(x[:1])[-1]
        assert np.abs(heat.numpy() - ref[0]).max() < 1e-4 and np.abs(paf.numpy() - ref[1]).max() < 1e-4
        calibrate(m, x)  # training mode (batch statistics) now passes through on such batches
        m.train()
        heat_train = m(x)[-1][0][:1]
        assert np.abs(heat_train.numpy() - ref[0]).max() < 1e-3
    wrong = build_model("paf", dict(PRESETS["ci"], width=48))
    with pytest.raises(ValueError, match="same size"):
        load_folded(wrong, onnx_path)


def _video(path, frames, people=1):
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (160, 120))
    kps = np.zeros((frames, NUM_JOINTS, 3), np.float32)
    for t in range(frames):
        img = np.full((120, 160, 3), 40, np.uint8)
        xy = _figure(t)
        for a, b in LIMBS:
            cv2.line(img, tuple(int(v) for v in xy[a]), tuple(int(v) for v in xy[b]), (230, 200, 180), 3)
        vw.write(img)
        kps[t, :, :2], kps[t, :, 2] = xy, 0.9
    vw.release()
    return kps


def _shared_tree(root, teacher):
    """A tiny ../shared/data: footage (one single-person clip, one with two people), pushfit
    (one clip), one hand-counted video; teacher tracks for each."""
    (root / "footage").mkdir(parents=True)
    (teacher / "footage").mkdir(parents=True)
    (teacher / "pushfit").mkdir()
    man = {}
    for name, people in (("a_pushups", 1), ("b_pair", 2)):
        kp = _video(root / "footage" / f"{name}.mp4", 10)
        np.savez(teacher / "footage" / f"{name}.npz", keypoints=kp, fps=25.0, size=np.array([160, 120]))
        man[name] = {"repo": f"x/{name}", "content": "pushup", "people": people, "same_person_as": []}
    (root / "footage" / "manifest.json").write_text(json.dumps(man))
    (root / "pushfit" / "videos").mkdir(parents=True)
    (root / "pushfit" / "poses").mkdir()
    (root / "pushfit" / "clips.csv").write_text("clip,label,frames,fps,width,height\nc0,correct,10,25,160,120\n")
    kp = _video(root / "pushfit" / "videos" / "c0.mp4", 10)
    np.savez(root / "pushfit" / "poses" / "c0.npz", movenet=kp, mediapipe=np.full((10, 33, 4), np.nan, np.float16))
    np.savez(teacher / "pushfit" / "c0.npz", keypoints=kp, fps=25.0, size=np.array([160, 120]))
    (root / "videos" / "teacher").mkdir(parents=True)
    kp = _video(root / "videos" / "v_pushups.mp4", 10)
    np.savez(root / "videos" / "teacher" / "v_pushups.npz", keypoints=kp, fps=25.0, size=np.array([160, 120]))
    (root / "videos" / "counts.json").write_text(json.dumps({"v_pushups": {"file": "v_pushups.mp4",
                                                                           "exercise": "pushup"}}))


def test_teacher_labelled_training_runs_from_a_shipped_model(tmp_path, monkeypatch):
    from training import pose_train
    from training.pose_train import load_checkpoint, train
    root, teacher = tmp_path / "data", tmp_path / "teacher"
    _shared_tree(root, teacher)
    monkeypatch.setattr(pose_train, "TEACHER_TRACKS", teacher)
    (tmp_path / "shipped").mkdir()
    onnx_path = _exported_paf(tmp_path / "shipped")
    ck = tmp_path / "pose_paf.pt"
    r = train("paf", "ci", ck, root, tmp_path / "cache", steps=6, workers=0, val_every=3, synth=0,
              init=onnx_path, labels="teacher", crop_share=0.5)
    assert r["step"] == 6 and np.isfinite(r["losses"]).all() and 0.0 <= r["val_pck"] <= 1.0
    _, meta = load_checkpoint(ck)
    # the two-person footage clip is left out (the teacher labels one person); the
    # hand-counted video is validation only
    assert meta["labels"] == "teacher" and sorted(meta["train_clips"]) == ["a_pushups", "pushfit_c0"]
    assert meta["val_clips"] == ["v_pushups"] and meta["init"] == str(onnx_path)
    # the LSTM-PM learns its memory on teacher-labelled clips, seeded from that model
    r = train("lstm_pm", "ci", tmp_path / "pose_lstm_pm.pt", root, tmp_path / "cache", steps=2, workers=0,
              val_every=2, synth=0, init=ck, labels="teacher", freeze=True, temporal_weight=1.0)
    assert r["step"] == 2 and np.isfinite(r["losses"]).all()


def test_pck_against_the_teacher_counts_missed_joints_as_misses():
    t = np.zeros((3, NUM_JOINTS, 3), np.float32)
    t[:, :, :2] = _figure(0)     # box side 22 * 3.9 = 85.8 px
    t[:, :, 2] = 0.9
    ours = t.copy()
    ours[:, 0, :2] += 12.0       # 17 px off: inside 0.2 x 85.8, outside 0.1 x 85.8
    ours[:, 1, 2] = 0.0          # not found
    ours[:, 2, :2] += 30.0       # too far for either
    t[:, 3, 2] = 0.2             # the teacher is unsure: not scored
    h20, n = pck_hits(ours, t, 0.2)
    h10, _ = pck_hits(ours, t, 0.1)
    assert n == 3 * 16 and h20 == 3 * 14 and h10 == 3 * 13
    still = jitter(t, t)
    assert still == (0.0, 0.0)


def test_the_motion_ratio_says_how_much_of_the_teachers_range_our_track_moves():
    from training.eval_pose_videos import motion_ratio
    rng = np.random.default_rng(0)
    t = np.zeros((60, NUM_JOINTS, 3), np.float32)
    t[:, :, :2] = _figure(0)
    t[:, :, 1] += 80 * np.sin(np.linspace(0, 6 * np.pi, 60))[:, None]  # three reps, 160 px top to bottom
    t[:, :, 2] = 0.9
    assert motion_ratio(t, t) == pytest.approx(1.0)
    flat = t.copy()
    flat[..., 1] = t[..., 1].mean(0) + 0.6 * (t[..., 1] - t[..., 1].mean(0))  # the same reps, 40% shallower
    flat[:, :, :2] += rng.normal(0, 0.5, (60, NUM_JOINTS, 2))
    assert motion_ratio(flat, t) == pytest.approx(0.6, abs=0.03)
    blind = t.copy()
    blind[:, [0, 5, 6], 2] = 0  # head and shoulders never found: nothing to say
    assert motion_ratio(blind, t) is None


def test_a_video_is_scored_through_the_apps_pose_loop_against_the_teacher(tmp_path):
    """evaluate_video runs the app's pose loop: an estimator that returns the teacher's own
    joints scores PCK 1 and the same total; one that finds nobody scores 0."""
    from training.data.teacher_frames import Source
    from training.eval_pose_videos import evaluate_video, summarise
    kp = _video(tmp_path / "v.mp4", 12)
    np.savez(tmp_path / "v.npz", keypoints=kp, fps=25.0, size=np.array([160, 120]))
    src = Source("v", tmp_path / "v.mp4", tmp_path / "v.npz", "pushup", "v")

    class Echo:  # the teacher's joints, frame by frame
        name = "echo"

        def __init__(self, found=True):
            self.t, self.found = 0, found

        def reset(self):
            self.t = 0

        def __call__(self, img):
            self.t += 1
            return [kp[self.t - 1].copy()] if self.found else []

    good, blind = evaluate_video(Echo(), src), evaluate_video(Echo(False), src)
    assert good.joints == 12 * 17 and good.hits20 == good.joints and good.totals[0] == good.totals[1]
    assert good.motion is None and blind.motion is None  # the figure sways sideways only: no vertical range
    assert blind.hits20 == 0 and blind.joints == good.joints
    s = summarise([good, blind])
    assert s["pushup"]["pck@0.2"] == pytest.approx(0.5) and s["all"]["videos"] == 2


def test_the_pose_command_refuses_a_bad_input_size_in_one_line(capsys):
    from training.__main__ import main
    assert main(["pose", "--size", "250", "--steps", "1"]) == 2
    err = capsys.readouterr().err
    assert "--size 250" in err and "multiple of 8" in err and len(err.strip().splitlines()) == 1


def test_hand_counted_videos_without_a_teacher_track_are_named(tmp_path):
    """`eval pose` once evaluated 26 of the 30 videos without a word when the clips' teacher
    tracks were missing; the missing ones are now listed (and the cards left unwritten)."""
    import json

    from training.data.teacher_frames import validation_missing, validation_sources
    (tmp_path / "videos" / "teacher").mkdir(parents=True)
    (tmp_path / "clips").mkdir()
    (tmp_path / "videos" / "counts.json").write_text(json.dumps({"a": {"file": "a.mp4", "exercise": "pushup"},
                                                                 "b": {"file": "b.mp4", "exercise": "situp"}}))
    (tmp_path / "clips" / "clips.json").write_text(json.dumps({"c.mp4": {"exercise": "pullup"}}))
    (tmp_path / "videos" / "teacher" / "a.npz").write_bytes(b"")
    cache = tmp_path / "cache"
    cache.mkdir()
    assert [s.name for s in validation_sources(tmp_path, cache)] == ["a"]
    assert validation_missing(tmp_path, cache) == ["b", "c"]
    (cache / "c.npz").write_bytes(b"")
    assert validation_missing(tmp_path, cache) == ["b"]


def test_pose_path_rules_are_chosen_on_training_clips_never_on_the_held_out_people(shared_data):
    """`eval pose --on training`: the clips a rule of the pose path is tuned on are training
    footage clips of the four events (crunches judged as sit-ups), short, with a teacher track,
    and none of them shows a person of the hand-counted videos."""
    from training.data import teacher_frames as TF
    from training.eval_pose_videos import TUNING_MAX_FRAMES, tuning_sources
    srcs = tuning_sources(shared_data)
    held = TF.held_out_people(shared_data)
    assert len(srcs) >= 30 and not {s.name for s in srcs} & held
    assert {s.content for s in srcs} == {"pushup", "pullup", "situp"}
    assert all(s.teacher.exists() for s in srcs)
    import cv2
    assert all(cv2.VideoCapture(str(s.video)).get(cv2.CAP_PROP_FRAME_COUNT) <= TUNING_MAX_FRAMES for s in srcs)
