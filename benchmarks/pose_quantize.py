"""`benchmarks/pose.py --quantize [paf|crop]`: the pose model as shipped (ONNX Runtime's full
graph optimisation), with basic optimisation only, INT8 (static QDQ, per channel, calibrated
on 64 cached training frames) and FP16 (weights and activations, inputs and outputs float32):
ms per frame of inference at 2 threads, and PCK@0.2 against the teacher through the app's
decoder on cached frames of the held-out hand-counted videos (the first 40 of each).
Needs the teacher-frame cache (`python -m training pose --labels teacher` builds it).

`--quantize crop`: the same four versions of the crop model (pose_crop.onnx; INT8 calibrated
on 64 cached training crops), each read as the app reads it (the crop and its mirror image as
one batch of two, maps averaged), ms per crop read at 2 threads and PCK@0.2 / @0.1 against the
teacher on the 1200 validation crops of the held-out hand-counted videos (the training's own
validation set, `python -m training crop-pose` builds its cache).
"""
from __future__ import annotations

import dataclasses
import tempfile
import time
from pathlib import Path

import numpy as np

from app.inference.pose import PoseEstimator, letterbox
from app.inference.session import models_dir

CACHE = Path.home() / ".cache" / "drillscore" / "teacher_frames"
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _frames(names: list[str], per: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from training.data.pose_frames import decode, load_cached
    out = []
    for n in names:
        fs = load_cached(CACHE, n)
        if fs is not None:
            out += [(n, decode(fs.images[i]), fs.joints[i]) for i in range(min(per, len(fs.images)))]
    return out


def _variants(src: Path, tmp: Path, calib: list[np.ndarray], size: int | None) -> dict[str, Path]:
    """src -> {"int8": static QDQ calibrated on `calib`, "fp16": FP16 inside}; calib are frames
    letterboxed to `size`, or model inputs as they are when size is None."""
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    from onnxruntime.transformers import float16

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"image": letterbox(img, size)[0] if size else img} for img in calib])

        def get_next(self):
            return next(self.it, None)

    pre = tmp / "pre.onnx"
    # a dynamic batch axis (the crop model's) defeats symbolic shape inference; ONNX's own serves
    quant_pre_process(str(src), str(pre), skip_symbolic_shape=size is None)
    int8 = tmp / "int8.onnx"
    quantize_static(str(pre), str(int8), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    fp16 = tmp / "fp16.onnx"
    onnx.save(float16.convert_float_to_float16(onnx.load(str(src)), keep_io_types=True), str(fp16))
    return {"int8": int8, "fp16": fp16}


def _session(path: Path, basic: bool = False):
    import onnxruntime as ort
    o = ort.SessionOptions()
    o.intra_op_num_threads, o.inter_op_num_threads = 2, 1
    o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    o.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_BASIC if basic
                                  else ort.GraphOptimizationLevel.ORT_ENABLE_ALL)
    return ort.InferenceSession(str(path), o, providers=["CPUExecutionProvider"])


def _pck(est: PoseEstimator, frames) -> float:
    from training.eval_pose import box_size, nearest
    hit = tot = 0
    for _name, img, lab in frames:
        p = nearest(est(img), lab)
        size, known = box_size(lab), lab[:, 2] > 0
        if size <= 0 or known.sum() < 4:
            continue
        ok = (p[:, 2] > 0) & (np.linalg.norm(p[:, :2] - lab[:, :2], axis=1) <= 0.2 * size)
        hit += int((ok & known).sum())
        tot += int(known.sum())
    return hit / max(tot, 1)


def run(models: Path | None, n: int, per_video: int = 40) -> None:
    from training.data.teacher_frames import training_sources, validation_sources
    folder = Path(models or models_dir())
    est = PoseEstimator(folder, 2, recurrent=False, crop=False)
    val = _frames([s.name for s in validation_sources(DATA, CACHE.parent / "teacher")], per_video)
    train_names = [s.name for s in training_sources(DATA, CACHE.parent / "teacher")[0]]
    calib = [img for _, img, _ in _frames(train_names[::max(1, len(train_names) // 64)], 1)][:64]
    if not val or not calib:
        print(f"error: no cached frames in {CACHE}; build them with `python -m training pose --labels teacher`")
        return
    x = [letterbox(img, est.size)[0] for _, img, _ in val[:n]]
    with tempfile.TemporaryDirectory() as d:
        paths = {"float, full optimisation (shipped)": (folder / "pose_paf.onnx", False),
                 "float, basic optimisation": (folder / "pose_paf.onnx", True)}
        paths.update({k: (v, False) for k, v in _variants(folder / "pose_paf.onnx", Path(d), calib, est.size).items()})
        print(f"{len(x)} frames timed, {len(val)} frames scored ({est.name}, {est.size} px, 2 threads)")
        for label, (path, basic) in paths.items():
            sess = _session(path, basic)
            for xi in x[:5]:
                sess.run(None, {"image": xi})
            t0 = time.perf_counter()
            for xi in x:
                sess.run(None, {"image": xi})
            ms = (time.perf_counter() - t0) * 1000 / len(x)
            est.model = dataclasses.replace(est.model, session=sess)
            print(f"  {label:36s} inference {ms:6.2f} ms/frame  PCK@0.2 vs teacher {_pck(est, val):.3f}")


def _crop_input(crops: np.ndarray) -> np.ndarray:
    """uint8 (N, S, S, 3) BGR crops -> float32 (N, 3, S, S) RGB in [0, 1], as CropReader feeds them."""
    return np.ascontiguousarray(crops[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32) / 255.0


def run_crop(models: Path | None, n: int) -> None:
    from app.core.belief_maps import decode
    from app.core.skeleton import FLIP
    from training import crop_train as T
    from training.data import crop_cache as C
    folder = Path(models or models_dir())
    src = folder / "pose_crop.onnx"
    size = 160
    try:
        val = T.validation_set(DATA, size, CACHE.parent / "teacher")
    except (OSError, ValueError) as e:  # no videos or teacher tracks here
        print(f"error: no validation crops ({e}); `python -m training crop-pose` builds them")
        return
    rng = np.random.default_rng(0)
    names = sorted(p.stem for p in (T.CACHE / "train").glob("*.npz"))[::5]
    calib = []
    for name in names[:64]:
        cs = C.load(T.CACHE / "train", name)
        if cs is not None and cs.person.any():
            i = int(rng.choice(np.flatnonzero(cs.person)))
            calib.append(_crop_input(T.sample(cs.images[i], cs.joints[i], size, None)[0][None]))
    x = _crop_input(val.inputs)
    with tempfile.TemporaryDirectory() as d:
        paths = {"float, full optimisation (shipped)": (src, False), "float, basic optimisation": (src, True)}
        paths.update({k: (v, False) for k, v in _variants(src, Path(d), calib, None).items()})
        print(f"{min(n, len(x))} crops timed, {len(x)} scored (pose_crop, {size} px, a crop and its mirror a read, "
              f"2 threads)")
        for label, (path, basic) in paths.items():
            sess = _session(path, basic)

            def read(xi, sess=sess):
                a, b = sess.run(None, {"image": np.concatenate([xi, xi[..., ::-1]])})[0]
                return decode((a + b[list(FLIP), :, ::-1]) / 2, 4)
            for xi in x[:5]:
                read(xi[None])
            t0 = time.perf_counter()
            for xi in x[:n]:
                read(xi[None])
            ms = (time.perf_counter() - t0) * 1000 / min(n, len(x))
            pred = np.stack([read(xi[None]) for xi in x])
            h20, tot = T.pck(pred, val.joints, 0.2)
            h10, _ = T.pck(pred, val.joints, 0.1)
            print(f"  {label:36s} {ms:6.2f} ms/read  PCK@0.2 {h20 / max(tot, 1):.3f}  PCK@0.1 {h10 / max(tot, 1):.3f}")
