"""Training the crop pose model: the region error drawn around the cached crop keeps joints and
pixels together, belief maps decode back to their joints, a chunked run resumes where it
stopped, and the exported model is what the app's crop path loads and runs."""
import json
import shutil

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from app.core.skeleton import FLIP, NUM_JOINTS
from app.inference.crop_reader import CropReader
from app.inference.subject_pose import SubjectPoseEstimator, pose_estimator
from app.paths import models_dir
from training import crop_train as T
from training.data import augment
from training.data import crop_cache as C


def _colour(j):
    """A colour per joint, far from its left/right partner's (adjacent indices)."""
    return ((j * 97) % 256, (j * 53 + 100) % 256, 128)


def _dots(rng, n=6, size=C.CACHE_SIZE):
    """Crops with one coloured dot per joint (the joint's colour), joints in the cache's middle."""
    imgs = np.full((n, size, size, 3), 60, np.uint8)
    joints = np.zeros((n, NUM_JOINTS, 3), np.float32)
    for i in range(n):
        lo, hi = size / 2 - size / (2 * C.PAD) + 8, size / 2 + size / (2 * C.PAD) - 8
        joints[i, :, :2] = rng.uniform(lo, hi, (NUM_JOINTS, 2))
        joints[i, :, 2] = 1
        for j, (x, y, _) in enumerate(joints[i]):
            colour = _colour(j)
            imgs[i, int(y) - 2:int(y) + 3, int(x) - 2:int(x) + 3] = colour
    return C.CropSet("synthetic_pullup", "pullup", imgs, joints, np.ones(n, bool))


def test_region_error_moves_pixels_and_joints_together():
    rng = np.random.default_rng(0)
    cs = _dots(rng, 1)
    colours = np.array([_colour(j) for j in range(NUM_JOINTS)])
    assert min(np.abs(colours[j] - colours[FLIP[j]]).max() for j in range(1, NUM_JOINTS)) > 60
    flips = 0
    for seed in range(8):
        img, k = T.sample(cs.images[0], cs.joints[0], 160, np.random.default_rng(seed), looks=False)
        inside = [j for j in range(NUM_JOINTS) if 3 <= k[j, 0] < 157 and 3 <= k[j, 1] < 157]
        under = np.array([img[int(round(k[j, 1])), int(round(k[j, 0]))].astype(int) for j in inside])
        direct = (np.abs(under - colours[inside]).max(1) < 30).mean()
        mirror = (np.abs(under - colours[[FLIP[j] for j in inside]]).max(1) < 30).mean()
        assert len(inside) >= 10 and max(direct, mirror) >= 0.9  # every label on its own dot
        flips += mirror > direct  # mirrored: left and right labels swapped with the picture
    assert 0 < flips < 8
    _, k = T.sample(cs.images[0], cs.joints[0], 160, None)
    # no error: the region of interest is the cache's middle 1/PAD, scaled to the input
    assert np.allclose(k[:, :2], (cs.joints[0, :, :2] - C.CACHE_SIZE / 2) * 160 / (C.CACHE_SIZE / C.PAD) + 80, atol=1e-4)


def test_belief_maps_decode_to_their_joints_and_masked_joints_carry_no_loss():
    rng = np.random.default_rng(1)
    k = np.concatenate([rng.uniform(5, 155, (NUM_JOINTS, 2)), np.ones((NUM_JOINTS, 1))], 1).astype(np.float32)
    k[3, 2] = 0
    maps, w = T.belief_maps(k, 160)
    assert maps.shape == (NUM_JOINTS, 40, 40) and w[3] == 0 and w.sum() == NUM_JOINTS - 1
    d = T.decode_maps(maps[None])[0]
    ok = np.arange(NUM_JOINTS) != 3
    assert np.abs(d[ok, :2] - k[ok, :2]).max() < 1.5  # within 3/8 of a cell
    assert maps[3].max() == 0


def test_a_crop_cut_by_a_frame_edge_is_grey_beyond_it_and_still_teaches_the_joints_there():
    rng = np.random.default_rng(4)
    cs = _dots(rng, 1)
    img, k = T.sample(cs.images[0], cs.joints[0], 160, None)
    k[5, 2] = 0  # a joint the teacher was unsure of stays masked
    shares = []
    for seed in range(40):
        cut, kc = T.cut_by_edge(img, k, np.random.default_rng(seed))
        beyond = (kc[:, 2] == T.CUT_WEIGHT)
        assert kc[5, 2] == 0 and np.array_equal(kc[:, :2], k[:, :2])  # positions untouched, labels kept
        assert beyond.any() and (kc[~beyond & (k[:, 2] > 0), 2] == 1).all()
        for j in range(NUM_JOINTS):
            x, y = int(round(k[j, 0])), int(round(k[j, 1]))
            if k[j, 2] > 0:  # a joint beyond the edge sits on grey, one before it keeps (some of) its dot
                dot = (cut[y - 1:y + 2, x - 1:x + 2] == C.GREY).all(-1)  # (a joint on the edge: either)
                assert dot.any() if beyond[j] else not dot.all()
        grey = (cut == C.GREY).all(-1)
        assert grey.any() and not grey.all()
        shares.append(beyond.sum() / (k[:, 2] > 0).sum())
        _, w = T.belief_maps(kc, 160)
        assert np.allclose(w[beyond], T.CUT_WEIGHT) and w[5] == 0
    assert 0.05 <= min(shares) and max(shares) <= 0.65  # 10-60% of the labelled joints, drawn
    few = k.copy()
    few[6:, 2] = 0
    assert T.cut_by_edge(img, few, rng)[0] is img  # too little of a body to cut
    bar, kb = T.cut_by_edge(img, k, np.random.default_rng(0), T.BAR)  # a video's padding bar: black
    beyond = kb[:, 2] == T.CUT_WEIGHT
    x, y = np.round(k[beyond, :2]).astype(int).T
    assert (bar[y, x] == 0).all() and not (bar == 0).all()


def test_a_caption_is_drawn_over_the_crop_and_the_sampler_draws_its_share():
    rng = np.random.default_rng(5)
    cs = _dots(rng, 4)
    img, _ = T.sample(cs.images[0], cs.joints[0], 160, None)
    out = augment.caption(img, np.random.default_rng(1))
    assert out.shape == img.shape and out.dtype == np.uint8
    changed = (out != img).any(-1)
    assert 0.005 < changed.mean() < 0.5 and (img == T.sample(cs.images[0], cs.joints[0], 160, None)[0]).all()
    plain = T.Sampler([cs]).batch(np.random.default_rng(3), 1, 160)  # one crop: the same draws up to the caption
    worded = T.Sampler([cs], captions=1.0).batch(np.random.default_rng(3), 1, 160)
    assert torch.equal(plain[1], worded[1]) and torch.equal(plain[2], worded[2])  # labels untouched
    assert not torch.equal(plain[0], worded[0])


def test_a_chunked_run_resumes_and_exports_what_the_app_loads(tmp_path):
    rng = np.random.default_rng(2)
    sets = [_dots(rng)]
    xs = [T.sample(i, j, 64, None) for i, j in zip(sets[0].images, sets[0].joints, strict=True)]
    val = T.ValSet(np.stack([x[0] for x in xs]), np.stack([x[1] for x in xs]), np.array(["pullup"] * len(xs)))
    ck_path = tmp_path / "pose_crop.pt"
    cfg = T.PRESETS["ci"]
    T.fit(sets, val, ck_path, T.replace(cfg, steps=2), invocation="first")
    first = torch.load(ck_path, weights_only=False)
    assert first["step"] == 2 and first["crops_seen"] == 2 * cfg.batch
    T.fit(sets, val, ck_path, T.replace(cfg, steps=4), resume=True, invocation="second")
    ck = torch.load(ck_path, weights_only=False)
    assert ck["step"] == 4 and [r["command"] for r in ck["runs"]] == ["first", "second"]
    assert [h["step"] for h in ck["history"]] == [2, 4] and ck["runs"][1]["from_step"] == 2
    assert not torch.equal(ck["model"]["head.4.weight"], first["model"]["head.4.weight"])

    from training.export_crop_pose import export
    card = export(ck_path, tmp_path)
    assert card["training"]["steps"] == 4 and card["parity_max_abs_diff"] < 1e-4
    assert card["command"] == "first && second && python -m training export crop-pose"
    assert json.loads((tmp_path / "pose_crop.json").read_text())["sha256"] == card["sha256"]
    for f in ("pose_paf.onnx", "pose_paf.json"):
        shutil.copy(models_dir() / f, tmp_path / f)
    est = pose_estimator(tmp_path, by_metrics=False)
    assert isinstance(est, SubjectPoseEstimator) and est.name == "pose_crop+pose_paf"
    reader = CropReader(tmp_path)
    from app.core.subject_crop import SubjectCrop
    k = reader.read(np.zeros((120, 200, 3), np.uint8), SubjectCrop(100, 60, 80, 0.3))
    assert k.shape == (NUM_JOINTS, 3) and k.dtype == np.float32
    # a card that measured the crop path worse than the whole-frame model: the app leaves it off
    for name, pck in (("pose_crop", 0.4), ("pose_paf", 0.5)):
        c = json.loads((tmp_path / f"{name}.json").read_text())
        c["metrics"] = {"pck@0.2_mean": pck}
        (tmp_path / f"{name}.json").write_text(json.dumps(c))
    est = pose_estimator(tmp_path)
    assert est.name == "pose_paf" and "less accurate" in est.fallback_reason


def test_crops_of_real_footage_are_upright_and_hold_the_person(shared_data, tmp_path):
    srcs = [s for s in C.training_sources(shared_data) if s.content in ("pushup", "crunch")][:2]
    from training.data.teacher_frames import held_out_people
    held = held_out_people(shared_data)
    assert "calimiro-ai_pullup_14" in held  # the athlete of the ajoycy videos is never trained on
    assert not {s.name for s in C.training_sources(shared_data)} & held
    for s in srcs:
        assert C.cache_clip(s, tmp_path / f"{s.name}.npz", 6) >= 6
        cs = C.load(tmp_path, s.name)
        for j, p in zip(cs.joints, cs.person, strict=True):
            if not p:
                continue
            seen = j[:, 2] > 0
            assert (j[seen, :2] >= 0).all() and (j[seen, :2] < C.CACHE_SIZE).all()
            sh, hp = j[[5, 6], :2][j[[5, 6], 2] > 0], j[[11, 12], :2][j[[11, 12], 2] > 0]
            if len(sh) and len(hp):  # a push-up or a lying crunch reaches the model upright
                assert sh[:, 1].mean() < hp[:, 1].mean()


def test_a_dense_run_cuts_pull_up_and_sit_up_clips_again_at_more_frames(shared_data, tmp_path, monkeypatch):
    monkeypatch.setattr(C, "DENSE_FRAMES", 12)
    srcs = {s.content: s for s in C.training_sources(shared_data) if s.content in ("pushup", "pullup") and s.movenet is None}
    push, pull = srcs["pushup"], srcs["pullup"]
    cache = tmp_path / "train"
    assert C.build([push, pull], cache, 1, footage_frames=4) == [push.name, pull.name]
    persons = {s.name: int(C.load(cache, s.name).person.sum()) for s in (push, pull)}
    assert persons == {push.name: 4, pull.name: 4}
    before = {s.name: (cache / f"{s.name}.npz").stat().st_mtime_ns for s in (push, pull)}
    C.build([push, pull], cache, 1, footage_frames=4, dense=True)
    assert int(C.load(cache, pull.name).person.sum()) == 12  # cut again at DENSE_FRAMES
    assert (cache / f"{push.name}.npz").stat().st_mtime_ns == before[push.name]  # push-ups kept as they were
    after = (cache / f"{pull.name}.npz").stat().st_mtime_ns
    C.build([push, pull], cache, 1, footage_frames=4, dense=True)
    assert (cache / f"{pull.name}.npz").stat().st_mtime_ns == after  # resumable: nothing cut twice


def test_rendered_clips_are_cut_like_footage(tmp_path):
    names = C.cache_synth(tmp_path, 2)
    assert names == ["synth7_00000", "synth7_00001"] and C.cache_synth(tmp_path, 2) == names  # resumable
    cs = C.load(tmp_path, names[0])
    assert cs.content == "synth:pushup" and cs.images.shape[1:] == (C.CACHE_SIZE, C.CACHE_SIZE, 3)
    seen = cs.joints[..., 2] > 0
    lo, hi = C.CACHE_SIZE / 2 - C.CACHE_SIZE / (2 * C.PAD), C.CACHE_SIZE / 2 + C.CACHE_SIZE / (2 * C.PAD)
    inside = (cs.joints[..., 0] > lo) & (cs.joints[..., 0] < hi) & (cs.joints[..., 1] > lo) & (cs.joints[..., 1] < hi)
    assert inside[seen].mean() > 0.97  # the region of interest (the cache's middle) holds the body
    assert T.Sampler([cs], T.CROP_WEIGHTS).p[0] == 1.0
