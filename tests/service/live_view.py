"""The browser live view of `daq serve` (docs/adr/0016-live-view.md), in a real headless
Chromium driven by Selenium (Debian's chromium, chromium-driver, python3-selenium):

- the page at / starts a series with its Start button (the gRPC Start's code: the file is
  named by the server's template), the displayed frame number advances;
- what the canvas shows (getImageData) is the server's binned ramp after the page's own
  contrast mapping (auto 0.1/99.9 %, linear and log, grey, saturated pixels red), computed
  here with numpy from the frame number alone;
- the page's histogram, min/max/mean and the statistics of a ROI drawn with the mouse equal
  numpy's on the same frame;
- /api/latest.tiff (tifffile) equals the frame of that number in the series' HDF5 file, and
  /api/latest.png is its 8-bit auto-contrast rendering;
- 8 stream viewers (plain HTTP clients), one stalled (it never reads): the others keep
  receiving, the stalled one is dropped for and counted in /metrics, the series loses no frame
  and its frame path allocates nothing (the counting allocator's figure in WaitIdle's summary);
- Stop stops: the state goes IDLE and the displayed frame number stays;
- with --token-file the page asks for the token once and then shows frames (the stream, the
  status and Start carry it), while a request without it is refused (401); there, 8-bit
  frames show saturated pixels in red, in grey and in false colour.
A screenshot of the page is saved in ARTIFACT_DIR.

Usage: live_view.py PATH_TO_DAQ GENERATED_PYTHON_DIR ARTIFACT_DIR"""
import http.client
import io
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import tifffile  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

import daq_e2e  # noqa: E402
from detector_client import Detector  # noqa: E402
from headless_chromium import browser  # noqa: E402
from serve_process import ServeProcess  # noqa: E402

WIDTH, HEIGHT, BIT_DEPTH = 512, 384, 12
PAGE_MAX_WIDTH = 256  # the page asks for frames binned 2 x 2
VIEWERS = 8


class Camera:
    """The geometry `daq serve` was started with and the binning the page asked for."""

    def __init__(self, width, height, bit_depth, binning):
        self.width, self.height, self.bit_depth, self.binning = width, height, bit_depth, binning
        self.max_value = (1 << bit_depth) - 1


MAIN = Camera(WIDTH, HEIGHT, BIT_DEPTH, 2)
# The token scenario's camera: 8-bit, not binned, its ramp wraps, so some pixels saturate.
SMALL = Camera(200, 100, 8, 1)

def metrics(http_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=30) as reply:
        text = reply.read().decode()
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if not sample.labels}


def binned_ramp(camera, hw_number):
    binning = camera.binning
    full = daq_e2e.ramp(hw_number, camera.height, camera.width, camera.bit_depth,
                        np.uint16).astype(np.uint64)
    h, w = camera.height // binning, camera.width // binning
    blocks = full[:h * binning, :w * binning].reshape(h, binning, w, binning)
    return (blocks.sum(axis=(1, 3)) // (binning * binning)).astype(np.int64)


def auto_limits(values):
    ordered = np.sort(values.ravel())
    n = ordered.size
    return int(ordered[(n + 999) // 1000 - 1]), int(ordered[(n * 999 + 999) // 1000 - 1])


def expected_grey(values, lo, hi, scale):
    v = values.astype(np.float64)
    span = hi - lo
    if scale == "log":
        mapped = np.floor(255 * np.log1p(np.maximum(v - lo, 0)) / np.log1p(span) + 0.5)
    else:
        mapped = np.floor(((v - lo) * 510 + span) / (2 * span))
    return np.where(v <= lo, 0, np.where(v >= hi, 255, mapped)).astype(np.int64)


# One consistent reading of the page: the frame it painted last, the state it painted it with,
# and the canvas, taken in one script (painting happens between scripts, never during one).
READ_PAGE = """
const s = window.daqLive.shown;
if (!s) return null;
const canvas = document.getElementById('view');
const rgba = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
return { number: s.frame.number, hw: s.frame.hwNumber, width: s.frame.width,
         height: s.frame.height, bitDepth: s.frame.bitDepth, binning: s.frame.binning,
         pixels: Array.from(s.frame.pixels), lo: s.lo, hi: s.hi, scale: s.scale,
         colormap: s.colormap, markSaturated: s.markSaturated, histogram: s.histogram,
         min: s.min, max: s.max, mean: s.mean, roi: s.roi, roiStats: s.roiStats,
         rgba: Array.from(rgba), canvasWidth: canvas.width, canvasHeight: canvas.height };
"""


def read_page(driver):
    page = driver.execute_script(READ_PAGE)
    assert page is not None, "the page has painted no frame"
    page["values"] = np.array(page["pixels"], dtype=np.int64).reshape(page["height"],
                                                                        page["width"])
    page["canvas"] = np.array(page["rgba"], dtype=np.int64).reshape(page["canvasHeight"],
                                                                      page["canvasWidth"], 4)
    return page


def false_colour_palette():
    """The page's false-colour ramp, computed as the page does (Math.round is floor(x + 0.5)
    for these non-negative values)."""
    stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]
    palette = []
    for i in range(256):
        t = i / 255 * (len(stops) - 1)
        k = min(int(t), len(stops) - 2)
        f = t - k
        palette.append([int(a + (b - a) * f + 0.5) for a, b in zip(stops[k], stops[k + 1])])
    return np.array(palette, dtype=np.int64)


def check_page_frame(page, camera=MAIN):
    """The frame the page used is the server's binned ramp; the canvas, histogram and
    statistics are what numpy computes from it."""
    shape = (camera.width // camera.binning, camera.height // camera.binning, camera.binning)
    assert (page["width"], page["height"], page["binning"]) == shape, page["width"]
    assert page["bitDepth"] == camera.bit_depth
    values = page["values"]
    expected = binned_ramp(camera, page["hw"])
    assert np.array_equal(values, expected), \
        f"frame {page['number']}: the page's pixels are not the binned ramp"
    lo, hi = auto_limits(values)
    assert (page["lo"], page["hi"]) == (lo, hi), (page["lo"], page["hi"], lo, hi)
    grey = expected_grey(values, lo, hi, page["scale"])
    rgb = false_colour_palette()[grey] if page["colormap"] == "false" else \
        np.stack([grey, grey, grey], axis=-1)
    saturated = (values >= camera.max_value) & page["markSaturated"]
    canvas = page["canvas"]
    assert canvas.shape == (shape[1], shape[0], 4), canvas.shape
    red = np.array([255, 0, 0])
    want = np.concatenate([np.where(saturated[..., None], red, rgb),
                           np.full(grey.shape + (1,), 255)], axis=-1)
    if not np.array_equal(canvas, want):
        y, x = (int(i) for i in np.argwhere(np.any(canvas != want, axis=-1))[0])
        raise AssertionError(f"frame {page['number']} ({page['scale']}, {page['colormap']}): "
                             f"canvas ({x}, {y}) = "
                             f"{canvas[y, x]}, expected {want[y, x]} for value {values[y, x]} "
                             f"with limits {lo}..{hi}")
    histogram = np.bincount((values * 256 // (camera.max_value + 1)).ravel(), minlength=256)
    assert page["histogram"] == histogram.tolist(), "histogram differs from numpy's"
    assert (page["min"], page["max"]) == (values.min(), values.max())
    assert abs(page["mean"] - values.mean()) <= 1e-9 * values.mean(), (page["mean"], values.mean())
    return values


def check_roi(page):
    roi, stats = page["roi"], page["roiStats"]
    assert roi is not None and stats is not None, "no ROI after the drag"
    assert roi["w"] > 10 and roi["h"] > 10, roi
    region = page["values"][roi["y"]:roi["y"] + roi["h"], roi["x"]:roi["x"] + roi["w"]]
    assert stats["n"] == region.size, (stats, region.shape)
    assert stats["sum"] == int(region.sum()), (stats["sum"], int(region.sum()))
    assert abs(stats["mean"] - region.mean()) <= 1e-9 * region.mean(), (stats, region.mean())
    assert abs(stats["std"] - region.std()) <= 1e-9 * max(region.std(), 1), (stats, region.std())


# Chromium decodes /api/latest.png (an independent PNG decoder); the grey levels come back.
DECODE_PNG = """
const done = arguments[arguments.length - 1];
fetch('/api/latest.png').then((r) => r.blob()).then(createImageBitmap).then((bitmap) => {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  done({ width: bitmap.width, height: bitmap.height,
         grey: Array.from(rgba.filter((_, i) => i % 4 == 0)) });
}).catch((e) => done({ error: String(e) }));
"""


def decoded_png(driver):
    png = driver.execute_async_script(DECODE_PNG)
    assert "error" not in png, png
    return np.array(png["grey"], dtype=np.int64).reshape(png["height"], png["width"])


def expect_http_error(code, mentions, url, data=None):
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=30)
    except urllib.error.HTTPError as e:
        body = e.read().decode()
        assert e.code == code and mentions in body, (url, e.code, body)
        return
    raise AssertionError(f"{url}: answered, expected {code}")


class StreamViewer(threading.Thread):
    """Reads /api/stream like the page does, recording the frame numbers it receives."""

    def __init__(self, port, max_width):
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", f"/api/stream?max_width={max_width}")
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        self.numbers = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        try:
            while not self.stop.is_set():
                (length,) = struct.unpack("<I", self.response.read(4))
                if length == 0:
                    continue  # a heartbeat
                message = self.response.read(length)
                assert message[:4] == b"DAQL", message[:4]
                self.numbers.append(struct.unpack_from("<Q", message, 8)[0])
        except Exception as e:  # noqa: BLE001 (reported by the main thread)
            if not self.stop.is_set():
                self.error = e

    def close(self):
        self.stop.set()
        self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.join(timeout=10)
        self.connection.close()


def stalled_viewer(port):
    """Asks for the stream with a tiny receive buffer and never reads."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    s.sendall(f"GET /api/stream?max_width={WIDTH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return s


def main():
    daq = daq_e2e.Daq(sys.argv[1])
    artifact_dir = sys.argv[3]
    os.makedirs(artifact_dir, exist_ok=True)
    with daq_e2e.workdir("live-view") as data_dir, \
            ServeProcess(daq, data_dir, "--camera", "sim", "--pattern", "ramp",
                         "--width", WIDTH, "--height", HEIGHT, "--bit-depth", BIT_DEPTH,
                         "--fps", 50, "--frames", 100000, "--preview-fps", 10,
                         "--max-preview-viewers", VIEWERS + 1) as server:
        base = f"http://127.0.0.1:{server.http_port}"
        detector = Detector(f"127.0.0.1:{server.grpc_port}")
        driver = browser(os.path.join(artifact_dir, "chromium-profile"))
        try:
            driver.get(f"{base}/?max_width={PAGE_MAX_WIDTH}&max_height={PAGE_MAX_WIDTH}")
            state = lambda: driver.find_element(By.ID, "state").text  # noqa: E731
            daq_e2e.wait_for(lambda: state() == "IDLE", "the page to show IDLE", 30)

            # Start from the page: the server names the file from its template.
            driver.find_element(By.ID, "start").click()
            started = daq_e2e.wait_for(lambda: driver.execute_script(
                "return window.daqLive.lastStart"), "the page's Start reply", 30)
            assert started["file"] == os.path.join(data_dir, "live_000001.h5"), started
            number = lambda: driver.execute_script(  # noqa: E731
                "const s = window.daqLive.shown; return s ? s.frame.number : -1")
            first = daq_e2e.wait_for(lambda: number() >= 0 and number() + 1, "a frame", 30) - 1
            daq_e2e.wait_for(lambda: number() >= first + 10, "the frame number to advance", 30)
            daq_e2e.wait_for(lambda: state() == "ACQUIRING", "the page to show ACQUIRING", 10)

            # Refusals: a bad size; a POST a cross-site form could send (not JSON).
            expect_http_error(400, "max_width", f"{base}/api/stream?max_width=0")
            expect_http_error(400, "Content-Type", f"{base}/api/stop", data=b"{}")

            # The canvas, histogram and statistics against numpy, linear then log.
            check_page_frame(read_page(driver))
            Select(driver.find_element(By.ID, "scale")).select_by_value("log")
            daq_e2e.wait_for(lambda: driver.execute_script(
                "return window.daqLive.shown.scale") == "log", "log scale painted", 10)
            check_page_frame(read_page(driver))
            Select(driver.find_element(By.ID, "scale")).select_by_value("linear")

            # A ROI drawn with the mouse (offsets from the canvas centre).
            overlay = driver.find_element(By.ID, "overlay")
            ActionChains(driver).move_to_element_with_offset(overlay, -120, -80) \
                .click_and_hold().move_to_element_with_offset(overlay, 60, 50).release().perform()
            daq_e2e.wait_for(lambda: driver.execute_script(
                "const s = window.daqLive.shown; return s && s.roiStats && s.scale == 'linear'"),
                "ROI statistics painted", 10)
            page = read_page(driver)
            check_page_frame(page)
            check_roi(page)
            driver.save_screenshot(os.path.join(artifact_dir, "live_view.png"))

            # 8 stream viewers, one of them stalled.
            viewers = [StreamViewer(server.http_port, WIDTH) for _ in range(VIEWERS - 1)]
            for viewer in viewers:
                viewer.start()
            stalled = stalled_viewer(server.http_port)
            viewers_now = lambda: metrics(server.http_port)["daq_preview_viewers"]  # noqa: E731
            daq_e2e.wait_for(lambda: viewers_now() == VIEWERS + 1,
                             "8 stream viewers and the page connected", 10)
            expect_http_error(429, "--max-preview-viewers", f"{base}/api/stream")
            dropped_before = metrics(server.http_port)["daq_preview_frames_dropped_total"]
            daq_e2e.wait_for(lambda: metrics(server.http_port)["daq_preview_frames_dropped_total"]
                             >= dropped_before + 5, "drops for the stalled viewer", 20)
            received = [len(v.numbers) for v in viewers]
            daq_e2e.wait_for(lambda: all(len(v.numbers) >= n + 10 for v, n in
                                         zip(viewers, received)),
                             "the other viewers to keep receiving", 20)
            for viewer in viewers:
                assert viewer.error is None, viewer.error
                assert np.all(np.diff(viewer.numbers) > 0), "a viewer got frames out of order"
            # The server gives up on the stalled connection (write timeout) and counts no more
            # viewers than are left.
            daq_e2e.wait_for(lambda: viewers_now() == VIEWERS,
                             "the stalled viewer to be disconnected", 20)
            stalled.close()
            for viewer in viewers:
                viewer.close()

            # Stop from the page: the series ends and the displayed frame stays.
            driver.find_element(By.ID, "stop").click()
            daq_e2e.wait_for(lambda: state() == "IDLE", "IDLE after Stop", 30)
            summary = detector.WaitIdle(timeout_s=60).summary
            assert summary.error == "", summary.error
            ledger = json.loads(summary.summary_json)
            assert ledger["ledger_balanced"] is True, ledger
            assert ledger["frames_written"] == ledger["frames_produced"] > 0, \
                f"the series lost frames with viewers connected: {ledger}"
            assert ledger["hot_path_allocations_per_frame"] == 0, \
                f"the frame path allocated with viewers connected: {ledger}"
            # Frames already on their way to the page may still arrive; after three status
            # polls nothing more does, and three more polls later the view is unchanged.
            def polls_later(n):
                target = driver.execute_script("return window.daqLive.statusPolls") + n
                daq_e2e.wait_for(lambda: driver.execute_script(
                    "return window.daqLive.statusPolls") >= target, f"{n} more status polls", 10)
            polls_later(3)
            shown = number()
            painted = driver.execute_script("return window.daqLive.framesPainted")
            produced = detector.GetStatus().frames_produced
            polls_later(3)
            assert number() == shown, f"the frame shown changed after Stop: {shown} → {number()}"
            assert driver.execute_script("return window.daqLive.framesPainted") == painted
            assert detector.GetStatus().frames_produced == produced == ledger["frames_produced"]
            assert shown <= ledger["frames_produced"] - 1, (shown, ledger["frames_produced"])

            # The latest frame as TIFF equals that frame in the series' file; the PNG is its
            # auto-contrast rendering.
            with urllib.request.urlopen(f"{base}/api/latest.tiff", timeout=30) as reply:
                tiff_number = int(reply.headers["X-Daq-Frame-Number"])
                tiff_bytes = reply.read()
            with tifffile.TiffFile(io.BytesIO(tiff_bytes)) as tif:
                tiff_frame = tif.pages[0].asarray()
                description = json.loads(tif.pages[0].description)
            assert description["frame_number"] == tiff_number, (description, tiff_number)
            assert tiff_frame.shape == (HEIGHT, WIDTH) and tiff_frame.dtype == np.uint16
            with h5py.File(started["file"], "r") as f:
                numbers = list(f["entry/data/frame_number"][:])
                assert tiff_number in numbers, f"frame {tiff_number} not in {started['file']}"
                stored = f["entry/data/data"][numbers.index(tiff_number)]
            assert np.array_equal(tiff_frame, stored), f"TIFF != HDF5 frame {tiff_number}"
            png = decoded_png(driver)
            lo, hi = auto_limits(stored.astype(np.int64))
            assert np.array_equal(png, expected_grey(stored.astype(np.int64), lo, hi, "linear"))
        finally:
            driver.quit()
            detector.close()
    print(f"live view: frames {first}..{shown} shown; series {ledger['frames_written']} "
          f"written of {ledger['frames_produced']}; TIFF frame {tiff_number} = file")
    token_scenario(daq, artifact_dir)
    print("live view: the token asked once")


def token_scenario(daq, artifact_dir):
    with daq_e2e.workdir("live-view-token") as data_dir:
        token = "live-view-secret-" + os.urandom(8).hex()
        token_file = os.path.join(data_dir, "token")
        with open(token_file, "w") as f:
            f.write(token + "\n")
        with ServeProcess(daq, data_dir, "--camera", "sim", "--width", SMALL.width,
                          "--height", SMALL.height, "--bit-depth", SMALL.bit_depth, "--fps", 50,
                          "--frames", 100000, "--token-file", token_file) as server:
            base = f"http://127.0.0.1:{server.http_port}"
            try:
                urllib.request.urlopen(f"{base}/api/stream", timeout=30)
                raise AssertionError("the stream answered without the token")
            except urllib.error.HTTPError as e:
                assert e.code == 401, e.code
            driver = browser(os.path.join(artifact_dir, "chromium-profile"))
            try:
                driver.get(base + "/")
                field = driver.find_element(By.ID, "token")
                daq_e2e.wait_for(field.is_displayed, "the page to ask for the token", 10)
                field.send_keys(token)
                field.submit()
                state = lambda: driver.find_element(By.ID, "state").text  # noqa: E731
                daq_e2e.wait_for(lambda: state() == "IDLE", "the status with the token", 10)
                driver.find_element(By.ID, "start").click()
                daq_e2e.wait_for(lambda: driver.execute_script(
                    "return window.daqLive.framesPainted") >= 2, "frames with the token", 20)
                assert not field.is_displayed(), "the page asked for the token twice"
                # 8-bit frames whose ramp wraps: saturated pixels in red, grey then false colour.
                page = read_page(driver)
                assert np.any(page["values"] == SMALL.max_value), "no saturated pixel to mark"
                check_page_frame(page, SMALL)
                Select(driver.find_element(By.ID, "colormap")).select_by_value("false")
                daq_e2e.wait_for(lambda: driver.execute_script(
                    "return window.daqLive.shown.colormap") == "false", "false colour", 10)
                check_page_frame(read_page(driver), SMALL)
                driver.find_element(By.ID, "stop").click()
            finally:
                driver.quit()


if __name__ == "__main__":
    main()
