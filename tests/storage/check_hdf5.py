"""Reads an HDF5 file written by daq's Hdf5Writer with h5py and checks all of it.

The frames hold the ramp of storage_test_support.hpp: pixel(x, y) of frame n is
(x + y + n) mod 2**bit_depth, hw_frame_nr = n + 100, timestamp_ns = 1e9 + n * 1e7,
exposure_ms = 1.5 + n, temperature_c = -20 + n / 4 for even n and NaN for odd n.
Prints OK and exits 0, or prints what is wrong and exits 1.
"""
import argparse
import datetime
import math
import sys

import h5py
import numpy as np

FILTERS = {"none": None, "lz4": 32004, "blosc": 32001, "bslz4": 32008}


def parse_ranges(text):
    if not text:
        return []
    return [tuple(int(v) for v in part.split("-")) for part in text.split(",")]


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def expect(condition, message):
    if not condition:
        fail(message)


def iso8601(value, name):
    try:
        return datetime.datetime.fromisoformat(text(value).replace("Z", "+00:00"))
    except ValueError:
        fail(f"{name} = {value!r} is not ISO 8601")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--path", required=True)
    p.add_argument("--width", type=int, required=True)
    p.add_argument("--height", type=int, required=True)
    p.add_argument("--bit-depth", type=int, required=True)
    p.add_argument("--frames", type=int, required=True, help="frames expected in the file")
    p.add_argument("--produced", type=int, required=True)
    p.add_argument("--compression", default="none", choices=sorted(FILTERS))
    p.add_argument("--dropped", default="")
    p.add_argument("--lost", default="")
    p.add_argument("--camera", default="sim")
    a = p.parse_args()
    dropped = parse_ranges(a.dropped)
    lost = parse_ranges(a.lost)
    n_dropped = sum(last - first + 1 for first, last in dropped)

    with h5py.File(a.path, "r") as f:
        expect(text(f.attrs["default"]) == "entry", "root @default is not entry")
        entry = f["entry"]
        expect(text(entry.attrs["NX_class"]) == "NXentry", "/entry is not NXentry")
        start = iso8601(entry.attrs["start_time"], "start_time")
        end = iso8601(entry.attrs["end_time"], "end_time")
        expect(start <= end, "start_time after end_time")
        expect(text(entry.attrs["software_version"]) != "", "software_version empty")
        expect(int(entry.attrs["frames_written"]) == a.frames,
               f"frames_written = {entry.attrs['frames_written']}, expected {a.frames}")
        expect(int(entry.attrs["frames_produced"]) == a.produced, "frames_produced wrong")
        expect(int(entry.attrs["frames_dropped"]) == n_dropped, "frames_dropped wrong")

        det = f["entry/instrument/detector"]
        expect(text(f["entry/instrument"].attrs["NX_class"]) == "NXinstrument", "NXinstrument")
        expect(text(det.attrs["NX_class"]) == "NXdetector", "detector is not NXdetector")
        expect(int(det.attrs["bit_depth"]) == a.bit_depth, "detector bit_depth wrong")
        expect(int(det.attrs["width"]) == a.width and int(det.attrs["height"]) == a.height,
               "detector width/height wrong")
        expect(int(det.attrs["sensor_width"]) >= a.width, "sensor_width wrong")
        expect(text(det.attrs["camera_name"]) == a.camera, "camera_name wrong")
        expect(text(det.attrs["camera_model"]) != "", "camera_model empty")

        data_group = f["entry/data"]
        expect(text(data_group.attrs["NX_class"]) == "NXdata", "/entry/data is not NXdata")
        expect(text(data_group.attrs["signal"]) == "data", "NXdata signal is not data")
        data = data_group["data"]
        dtype = np.uint8 if a.bit_depth <= 8 else np.uint16 if a.bit_depth <= 16 else np.uint32
        expect(data.dtype == dtype, f"dtype {data.dtype}, expected {np.dtype(dtype)}")
        expect(data.shape == (a.frames, a.height, a.width), f"shape {data.shape}")
        expect(data.chunks == (1, a.height, a.width), f"chunks {data.chunks}")
        plist = data.id.get_create_plist()
        filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        want = FILTERS[a.compression]
        expect(filters == ([] if want is None else [want]), f"filters {filters} for {a.compression}")

        fn = data_group["frame_number"][()]
        hw = data_group["hw_frame_nr"][()]
        ts = data_group["timestamp_ns"][()]
        ex = data_group["exposure_ms"][()]
        tc = data_group["temperature_c"][()]
        for name, arr, kind in (("frame_number", fn, np.uint64), ("hw_frame_nr", hw, np.int64),
                                ("timestamp_ns", ts, np.uint64), ("exposure_ms", ex, np.float64),
                                ("temperature_c", tc, np.float64)):
            expect(arr.dtype == kind, f"{name} dtype {arr.dtype}")
            expect(arr.shape == (a.frames,), f"{name} shape {arr.shape}")
        expect(bool(np.all(np.diff(fn.astype(np.int64)) > 0)), "frame_number not increasing")
        expect(bool(np.all(hw == fn.astype(np.int64) + 100)), "hw_frame_nr wrong")
        expect(bool(np.all(ts == 1_000_000_000 + fn * 10_000_000)), "timestamp_ns wrong")
        expect(bool(np.allclose(ex, 1.5 + fn)), "exposure_ms wrong")
        for n, t in zip(fn, tc):
            if n % 2 == 0:
                expect(t == -20.0 + n / 4, f"temperature of frame {n} is {t}")
            else:
                expect(math.isnan(t), f"temperature of frame {n} should be NaN, is {t}")

        d = data_group["dropped_frame_ranges"][()]
        lh = data_group["lost_hw_frame_ranges"][()]
        expect(d.dtype == np.uint64 and lh.dtype == np.uint64, "range dtypes")
        expect([tuple(int(v) for v in r) for r in d] == dropped, f"dropped ranges {d.tolist()}")
        expect([tuple(int(v) for v in r) for r in lh] == lost, f"lost hw ranges {lh.tolist()}")
        covered = set(int(v) for v in fn)
        for first, last in dropped:
            span = set(range(first, last + 1))
            expect(not (span & covered), f"dropped range {first}-{last} overlaps written frames")
            covered |= span
        expect(covered == set(range(a.produced)), "written + dropped != 0..produced-1")

        y, x = np.mgrid[0:a.height, 0:a.width]
        ramp = (x + y).astype(np.uint64)
        mask = (1 << a.bit_depth) - 1
        for i in range(a.frames):
            expected = ((ramp + int(fn[i])) & mask).astype(dtype)
            got = data[i]
            if not np.array_equal(got, expected):
                bad = np.argwhere(got != expected)[0]
                fail(f"frame {i} (number {fn[i]}) pixel {tuple(bad)} = {got[tuple(bad)]}, "
                     f"expected {expected[tuple(bad)]}")
    print(f"OK {a.frames} frames")


if __name__ == "__main__":
    main()
