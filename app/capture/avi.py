"""A Motion-JPEG AVI writer that can be flushed: the recording of a live test stays playable up
to the last flush if the process dies.

Why not cv2.VideoWriter: it buffers ~256 KB inside FFmpeg with no way to flush, so a crash
lost a variable number of frames (31 of 95 at 640x480 in a test), and without release() the
file had no index. Here each frame is one JPEG chunk (cv2.imencode) appended to the 'movi'
list; flush() pushes the chunks to the disk (os.fsync), and close() writes the idx1 index
and patches the sizes and frame counts in the headers. A file cut short (no close) still has
every flushed frame in order, which FFmpeg/OpenCV and common players read by scanning.
"""
from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np

_AVIF_HASINDEX = 0x10
_AVIIF_KEYFRAME = 0x10


class AviError(OSError):
    """The recording file cannot be written; str() names the file and what to do."""


def _chunk(tag: bytes, payload: bytes) -> bytes:
    return tag + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


class MjpegAviWriter:
    def __init__(self, path: str | Path, fps: float, size: tuple[int, int], quality: int = 80) -> None:
        """size = (width, height) of every frame written; quality = JPEG quality 1-100."""
        self.path = Path(path)
        self.fps, self.size, self.quality = float(fps), (int(size[0]), int(size[1])), int(quality)
        try:
            self._f = open(self.path, "wb")  # noqa: SIM115 - open until close()
        except OSError as e:
            raise AviError(f"{self.path}: cannot write the recording ({e.strerror}); choose a writable "
                           f"recordings folder in Admin > Settings") from None
        self._index: list[tuple[int, int]] = []  # (offset from 'movi', size) per frame
        self.frames = 0
        self._f.write(self._header(0))
        self._movi_start = self._f.tell() - 4  # offsets in idx1 count from the 'movi' fourcc
        self.closed = False

    def _header(self, frames: int, riff_size: int = 0, movi_size: int = 0) -> bytes:
        w, h = self.size
        rate = max(1, round(self.fps * 1000))
        avih = struct.pack("<IIIIIIIIII16x", round(1e6 / self.fps), 0, 0, _AVIF_HASINDEX, frames, 0, 1,
                           w * h * 3, w, h)
        strh = b"vidsMJPG" + struct.pack("<IHHIIIIIIIIhhhh", 0, 0, 0, 0, 1000, rate, 0, frames, w * h * 3,
                                         0xFFFFFFFF, 0, 0, 0, w, h)
        strf = struct.pack("<IiiHH4sIiiII", 40, w, h, 1, 24, b"MJPG", w * h * 3, 0, 0, 0, 0)
        strl = b"strl" + _chunk(b"strh", strh) + _chunk(b"strf", strf)
        hdrl = b"hdrl" + _chunk(b"avih", avih) + _chunk(b"LIST", strl)
        return (b"RIFF" + struct.pack("<I", riff_size) + b"AVI " + _chunk(b"LIST", hdrl)
                + b"LIST" + struct.pack("<I", movi_size) + b"movi")

    def write(self, image: np.ndarray) -> None:
        """One BGR frame (H, W, 3) uint8 of the writer's size; a frame of another size is resized."""
        import cv2
        if image.shape[1] != self.size[0] or image.shape[0] != self.size[1]:
            image = cv2.resize(image, self.size)
        ok, jpg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, self.quality])
        if not ok:
            raise AviError(f"{self.path}: frame {self.frames} could not be encoded as JPEG")
        data = jpg.tobytes()
        try:
            offset = self._f.tell() - self._movi_start
            self._f.write(_chunk(b"00dc", data))
        except OSError as e:
            raise AviError(f"{self.path}: writing frame {self.frames} failed ({e.strerror}); "
                           f"free disk space or choose another recordings folder") from None
        self._index.append((offset, len(data)))
        self.frames += 1

    def flush(self, sync: bool = True) -> None:
        """Everything written so far handed to the OS (survives the process being killed) and,
        with sync, onto the disk (survives a power cut)."""
        self._f.flush()
        if sync:
            os.fsync(self._f.fileno())

    def close(self) -> None:
        """Write the index and the final sizes; the file is then a complete AVI."""
        if self.closed:
            return
        self.closed = True
        f = self._f
        movi_end = f.tell()
        idx = b"".join(b"00dc" + struct.pack("<III", _AVIIF_KEYFRAME, off, size) for off, size in self._index)
        f.write(_chunk(b"idx1", idx))
        end = f.tell()
        f.seek(0)
        f.write(self._header(self.frames, end - 8, movi_end - self._movi_start))
        f.flush()
        os.fsync(f.fileno())
        f.close()
