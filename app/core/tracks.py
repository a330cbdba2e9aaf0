"""Pose-track files: the interchange format for tests, exports and other tools.

Two encodings of the same content:
- `.npz`: keypoints float32 (T, 17, 3) = x px, y px, score, COCO-17 order; fps (float);
  size = (width, height); optional exercise, view (strings).
- `.json`: {"fps", "size": [w, h], "keypoints": [[[x, y, s] x 17] per frame],
  optional "exercise", "view"}.

Readers validate everything and raise TrackFileError with one line naming the file, what is
wrong, where (frame and joint) and what to do.
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from app.core.skeleton import JOINT_NAMES, NUM_JOINTS
from app.core.types import EXERCISES, VIEWS, PoseTrack

# Keypoints may sit a little outside the image (a foot cut off by the frame edge is
# extrapolated by some estimators), but not far: beyond this margin the coordinates are
# almost surely in another unit (normalised, or another image size).
COORD_MARGIN = 0.5
MIN_FPS, MAX_FPS = 1.0, 1000.0
# Checked before anything is read, so a hostile or broken file is refused in one line instead of
# a multi-gigabyte allocation: ten hours at 60 fps is far beyond any test.
MAX_FRAMES = 10 * 3600 * 60
MAX_FILE_BYTES = 1 << 30
MAX_JSON_BYTES = 256 << 20


class TrackFileError(ValueError):
    """A pose-track file that cannot be used; str() is a one-line message for the user."""


def _fail(path: str | Path, what: str) -> TrackFileError:
    return TrackFileError(f"{path}: {what}")


def validate_track(keypoints: np.ndarray, fps: float, size, path: str | Path = "<track>",
                   exercise: str | None = None, view: str | None = None) -> PoseTrack:
    """Check the arrays of a pose track and build a PoseTrack, or raise TrackFileError."""
    kp = np.asarray(keypoints)
    if kp.dtype.kind not in "fiu":
        raise _fail(path, f"keypoints must be numbers, got dtype {kp.dtype}")
    if kp.ndim != 3 or kp.shape[1:] != (NUM_JOINTS, 3):
        raise _fail(path, f"keypoints must have shape (frames, 17, 3) = x, y, score per COCO-17 joint, got {kp.shape}")
    if kp.shape[0] == 0:
        raise _fail(path, "keypoints has no frames")
    kp = kp.astype(np.float32)
    bad = ~np.isfinite(kp)
    if bad.any():
        f, j, c = np.argwhere(bad)[0]
        raise _fail(path, f"keypoints has {int(bad.sum())} NaN/inf values, first at frame {f}, joint "
                          f"{JOINT_NAMES[j]}, {'xys'[c]}; write score 0 (and any x, y) for a joint that was not found")
    try:
        fps = float(np.asarray(fps).reshape(()))
    except (TypeError, ValueError):
        raise _fail(path, f"fps must be one number, got {fps!r}") from None
    if not (MIN_FPS <= fps <= MAX_FPS) or not np.isfinite(fps):
        raise _fail(path, f"fps must be in [{MIN_FPS:g}, {MAX_FPS:g}] frames per second, got {fps:g}")
    try:
        w, h = (float(v) for v in np.asarray(size).reshape(-1))
    except (TypeError, ValueError):
        raise _fail(path, f"size must be (width, height), got {size!r}") from None
    if not (w >= 1 and h >= 1 and w == int(w) and h == int(h)):
        raise _fail(path, f"size must be positive whole pixels (width, height), got {size!r}")
    s = kp[..., 2]
    if s.min() < 0 or s.max() > 1:
        f, j = np.argwhere((s < 0) | (s > 1))[0]
        raise _fail(path, f"scores must lie in [0, 1], got {s[f, j]:g} at frame {f}, joint {JOINT_NAMES[j]}")
    for axis, extent, name in ((0, w, "x"), (1, h, "y")):
        v = kp[..., axis]
        out = (v < -COORD_MARGIN * extent) | (v > (1 + COORD_MARGIN) * extent)
        if out.any():
            f, j = np.argwhere(out)[0]
            hint = (" — the coordinates look normalised to [0, 1]; multiply by the image size"
                    if np.abs(kp[..., :2]).max() <= 1.0 and max(w, h) > 2 else
                    " — check that size matches the image the keypoints were measured on")
            raise _fail(path, f"{name} = {v[f, j]:g} at frame {f}, joint {JOINT_NAMES[j]} is far outside "
                              f"the {int(w)}x{int(h)} image{hint}")
    if exercise is not None and exercise not in EXERCISES:
        raise _fail(path, f"exercise must be one of {', '.join(EXERCISES)}, got {exercise!r}")
    if view is not None and view not in VIEWS + ("oblique",):
        raise _fail(path, f"view must be one of front, side, oblique, got {view!r}")
    return PoseTrack(kp, fps, (int(w), int(h)), exercise, view)


def _opt_str(value) -> str | None:
    if value is None:
        return None
    s = str(np.asarray(value).reshape(()).item()) if isinstance(value, np.ndarray) else str(value)
    return s or None


def _check_npz_shapes(p: Path) -> None:
    """Read only the array headers of a .npz and refuse one that declares more than MAX_FRAMES
    frames (before numpy allocates what the header promises)."""
    from numpy.lib import format as npformat
    with zipfile.ZipFile(p) as z:
        for info in z.infolist():
            with z.open(info) as fh:
                try:
                    version = npformat.read_magic(fh)
                    read = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
                    shape, _fortran, dtype = read(fh)
                except ValueError:
                    continue  # said by np.load below
            n = int(np.prod(shape, dtype=np.float64)) if shape else 1
            if n * dtype.itemsize > MAX_FILE_BYTES or (shape and shape[0] > MAX_FRAMES):
                raise _fail(p, f"{info.filename} declares shape {shape} ({n * dtype.itemsize / 2**30:.1f} GiB), "
                               f"more than any pose track (at most {MAX_FRAMES} frames); check the file")


def read_track(path: str | Path) -> PoseTrack:
    """Read a `.npz` or `.json` pose-track file (see module docstring)."""
    p = Path(path)
    if not p.exists():
        raise _fail(p, "no such file")
    if p.is_dir():
        raise _fail(p, "is a folder, expected a .npz or .json pose-track file")
    if not p.is_file():  # a FIFO would hang the read, /dev/zero would never end
        raise _fail(p, "is not a regular file (a pipe or a device?); give a .npz or .json pose-track file")
    size = p.stat().st_size
    suffix = p.suffix.lower()
    if size > (MAX_JSON_BYTES if suffix == ".json" else MAX_FILE_BYTES):
        raise _fail(p, f"is {size / 2**20:.0f} MB, far more than a pose track of {MAX_FRAMES} frames; "
                       "check the file")
    if suffix == ".npz":
        try:
            _check_npz_shapes(p)
            with np.load(p, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except TrackFileError:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise _fail(p, f"not a readable .npz archive ({e.__class__.__name__}); re-export the pose track") from None
        missing = [k for k in ("keypoints", "fps", "size") if k not in data]
        if missing:
            raise _fail(p, f"missing {', '.join(missing)} (has {', '.join(sorted(data)) or 'nothing'}); "
                           "a pose-track .npz needs keypoints (T, 17, 3), fps and size")
        return validate_track(data["keypoints"], data["fps"], data["size"], p,
                              _opt_str(data.get("exercise")), _opt_str(data.get("view")))
    if suffix == ".json":
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            where = f" at line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
            raise _fail(p, f"not valid JSON{where}; re-export the pose track") from None
        except RecursionError:
            raise _fail(p, "is nested far too deeply to be a pose track; re-export it") from None
        if not isinstance(doc, dict):
            raise _fail(p, "top level must be an object with fps, size and keypoints")
        missing = [k for k in ("keypoints", "fps", "size") if k not in doc]
        if missing:
            raise _fail(p, f"missing {', '.join(missing)}; a pose-track .json needs fps, size and keypoints")
        try:
            kp = np.asarray(doc["keypoints"], dtype=np.float64)
        except (TypeError, ValueError):
            raise _fail(p, "keypoints must be a list of frames, each 17 [x, y, score] triples of numbers") from None
        return validate_track(kp, doc["fps"], doc["size"], p, doc.get("exercise"), doc.get("view"))
    raise _fail(p, f"unknown extension {p.suffix!r}; use .npz or .json")


def write_track(path: str | Path, track: PoseTrack, arrays: dict[str, np.ndarray] | None = None) -> Path:
    """Write a PoseTrack as .npz or .json (by extension). Returns the path.

    arrays: extra per-frame arrays stored beside the keypoints, e.g. `smoothed` (T, 17, 3)
    from the smoother and `joints3d` (T, 17, 3) metres from the lifter; readers that do
    not know them ignore them."""
    p = Path(path)
    suffix = p.suffix.lower()
    arrays = {k: np.asarray(v, np.float32) for k, v in (arrays or {}).items()}
    clash = set(arrays) & {"keypoints", "fps", "size", "exercise", "view"}
    if clash:
        raise TrackFileError(f"{p}: extra arrays may not be named {', '.join(sorted(clash))}")
    if suffix == ".npz":
        extra = {k: v for k, v in (("exercise", track.exercise), ("view", track.view)) if v}
        with open(p, "wb") as fh:  # np.savez would append .npz to other names
            np.savez_compressed(fh, keypoints=track.keypoints.astype(np.float32),
                                fps=np.float64(track.fps), size=np.array(track.size, np.int64), **extra, **arrays)
    elif suffix == ".json":
        doc = {"fps": track.fps, "size": list(track.size),
               "keypoints": np.round(track.keypoints.astype(np.float64), 3).tolist(),
               **{k: np.round(v.astype(np.float64), 4).tolist() for k, v in arrays.items()}}
        if track.exercise:
            doc["exercise"] = track.exercise
        if track.view:
            doc["view"] = track.view
        p.write_text(json.dumps(doc), encoding="utf-8")
    else:
        raise TrackFileError(f"{p}: unknown extension {p.suffix!r}; use .npz or .json")
    return p
