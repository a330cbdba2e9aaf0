"""The window on a real X server (Xvfb), through Qt's X11 (xcb) plugin, as a desktop user
starts it: the system libraries are there (or named), OpenCV's Qt plugins cannot interfere,
the demo runs, and a SIGTERM closes it cleanly. The offscreen tests cannot see any of this.
.ci/run installs Xvfb and the X11 libraries (Debian packages)."""
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (Debian package xvfb)")


@pytest.fixture()
def display(tmp_path):
    num = 90 + os.getpid() % 9
    xvfb = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield f":{num}"
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def test_the_demo_window_opens_on_x11_and_closes_on_sigterm(display, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, TMPDIR=str(tmp_path))
    p = subprocess.Popen([sys.executable, "-m", "app", "gui", "--demo"], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob("drillscore-demo-*/*")) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        time.sleep(2.0)  # the window up, the demo test running
        assert p.poll() is None, p.stderr.read()[-800:]
        p.send_signal(signal.SIGTERM)
        _out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err[-800:]
    assert "xcb" not in err and "cv2" not in err, err[-800:]
    assert not list(tmp_path.glob("drillscore-demo-*"))
