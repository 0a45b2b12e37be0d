#!/usr/bin/env python3
"""End-to-end test of `daq bench --quick --json FILE`.

Usage: bench_test.py DAQ_BINARY [extra bench arguments, e.g. --time-scale 0.2]

Runs the bench once and checks facts, never timings: the pooled path makes 0 allocations per
frame in steady state, the legacy path makes at least 1, every figure is present and finite,
the table names the machine, build and run count, and the scratch directory is cleaned up.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

DAQ = sys.argv[1] if len(sys.argv) > 1 else ""
EXTRA = sys.argv[2:]

# The keys the README names, plus the ones the facts below rely on.
REQUIRED = {
    "before": ["allocs_per_sec", "alloc_mb_per_sec", "allocs_per_frame", "fps",
               "heap_frames_per_frame"],
    "after": ["allocs_per_sec", "alloc_mb_per_sec", "allocs_per_frame", "fps",
              "heap_frames_per_frame"],
    "before_after": ["allocs_ratio", "alloc_bytes_ratio", "fps_ratio"],
    "pool": ["acquire_release_p50_ns", "acquire_release_p99_ns", "contended_p50_ns",
             "contended_p99_ns", "loan_access_ns", "raw_access_ns", "loan_vs_raw"],
    "ceiling": ["memcpy_fps", "pipeline_fps", "ratio"],
    "latency": ["p50_us", "p99_us", "max_us"],
    "observers": ["ns_per_frame_0", "ns_per_frame_1", "ns_per_frame_4", "ns_per_frame_16",
                  "allocs_per_frame"],
    "writer": ["hdf5_mb_per_sec", "write_mb_per_sec", "reserved_write_mb_per_sec", "ratio",
               "ratio_vs_reserved"],
}
# Rates and times that a run which measured anything cannot report as 0.
POSITIVE = ["before.fps", "after.fps", "before.allocs_per_sec", "ceiling.memcpy_fps",
            "ceiling.pipeline_fps", "latency.p50_us", "pool.acquire_release_p50_ns",
            "pool.contended_p50_ns", "observers.ns_per_frame_16", "writer.hdf5_mb_per_sec",
            "writer.write_mb_per_sec"]
INFO = {"machine": ["cpu", "cores", "kernel"],
        "build": ["compiler", "build_type", "sanitizers", "flags"],
        "run": ["mode", "runs", "seconds"]}


def reject_constant(name):
    raise ValueError(f"non-finite number {name} in the JSON")


class BenchQuick(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="daq-bench-test-")
        cls.scratch = os.path.join(cls.tmp.name, "scratch")
        os.mkdir(cls.scratch)
        cls.json_path = os.path.join(cls.tmp.name, "bench.json")
        cls.result = subprocess.run(
            [DAQ, "bench", "--quick", "--json", cls.json_path, "--dir", cls.scratch] + EXTRA,
            capture_output=True, text=True, timeout=850)
        cls.figures = None
        if cls.result.returncode == 0:
            with open(cls.json_path) as f:
                cls.figures = json.load(f, parse_constant=reject_constant)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.assertEqual(self.result.returncode, 0,
                         f"daq bench failed:\n{self.result.stdout}\n{self.result.stderr}")

    def figure(self, obj, key):
        self.assertIn(obj, self.figures, f"object {obj} missing")
        self.assertIn(key, self.figures[obj], f"figure {obj}.{key} missing")
        return self.figures[obj][key]

    def test_pooled_path_allocates_nothing_per_frame(self):
        self.assertEqual(self.figure("after", "allocs_per_frame"), 0)
        self.assertEqual(self.figure("after", "allocs_per_sec"), 0)
        self.assertEqual(self.figure("after", "alloc_mb_per_sec"), 0)
        self.assertEqual(self.figure("after", "heap_frames_per_frame"), 0)
        self.assertEqual(self.figure("before_after", "allocs_ratio"), 0)

    def test_legacy_path_allocates_every_frame(self):
        self.assertGreaterEqual(self.figure("before", "allocs_per_frame"), 1)
        self.assertGreater(self.figure("before", "alloc_mb_per_sec"), 0)
        self.assertEqual(self.figure("before", "heap_frames_per_frame"), 1)

    def test_observer_delivery_allocates_nothing(self):
        self.assertEqual(self.figure("observers", "allocs_per_frame"), 0)

    def test_every_figure_present_and_finite(self):
        for obj, keys in list(REQUIRED.items()) + list(INFO.items()):
            for key in keys:
                self.figure(obj, key)
        for obj, entries in self.figures.items():
            self.assertIsInstance(entries, dict, obj)
            for key, value in entries.items():
                if obj in INFO and isinstance(value, str):
                    continue
                self.assertIsInstance(value, (int, float), f"{obj}.{key}")
                self.assertTrue(math.isfinite(value), f"{obj}.{key} = {value}")
        for address in POSITIVE:
            obj, key = address.split(".")
            self.assertGreater(self.figure(obj, key), 0, address)

    def test_table_states_machine_build_and_runs(self):
        out = self.result.stdout
        self.assertEqual(self.figure("run", "mode"), "quick")
        self.assertEqual(self.figure("run", "runs"), 1)
        self.assertGreaterEqual(self.figure("machine", "cores"), 1)
        for text in ["machine:", "cpu ", "build:", "build_type", "runs 1"]:
            self.assertIn(text, out)
        for section in ["1. Before vs after", "2. Pool", "3. Ceiling", "Latency",
                        "4. Observers", "5. Writer"]:
            self.assertIn(section, out)

    def test_no_peer_comparisons(self):
        # Other libraries (moodycamel, TBB, a mutex free list) are compared in bench/ only.
        self.assertNotIn("peers", self.figures)
        for key in self.figures["pool"]:
            self.assertNotIn("mutex", key)
        for peer in ["moodycamel", "TBB", "mutex+vector", "Peers"]:
            self.assertNotIn(peer, self.result.stdout)

    def test_scratch_directory_removed(self):
        self.assertEqual(os.listdir(self.scratch), [])


class BenchUsage(unittest.TestCase):
    def test_missing_directory_is_a_usage_error(self):
        missing = os.path.join(tempfile.gettempdir(), "daq-bench-no-such-dir", "x")
        run = subprocess.run([DAQ, "bench", "--quick", "--dir", missing],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertIn("--dir", run.stderr)
        self.assertNotIn("daq bench: [1/", run.stderr)  # nothing was measured


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
