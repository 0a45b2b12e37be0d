#!/usr/bin/env python3
"""scripts/skipped_tests.py names every test ctest skipped, with its reason.

Usage: skipped_tests_test.py SOURCE_DIR

Runs ctest on a scratch project with one test of each kind (passes, fails, skipped by
GTEST_SKIP's output, skipped by SKIP_RETURN_CODE, disabled) and reads its JUnit file back.
"""
import os
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = sys.argv[1] if len(sys.argv) > 1 else ""

PROJECT = r"""cmake_minimum_required(VERSION 3.25)
project(skips NONE)
enable_testing()
add_test(NAME passes COMMAND sh -c "echo fine")
add_test(NAME fails COMMAND sh -c "echo broken; exit 1")
add_test(NAME gtest_skip COMMAND sh -c "printf '[ RUN      ] Suite.Case\nx_test.cpp:12: Skipped\nno h5py here\n\n[  SKIPPED ] Suite.Case (0 ms)\n'")
set_tests_properties(gtest_skip PROPERTIES SKIP_REGULAR_EXPRESSION "\\[  SKIPPED \\]")
add_test(NAME exit_code_skip COMMAND sh -c "echo starting; echo 'no chromium (apt install chromium)'; exit 77")
set_tests_properties(exit_code_skip PROPERTIES SKIP_RETURN_CODE 77)
add_test(NAME switched_off COMMAND true)
set_tests_properties(switched_off PROPERTIES DISABLED TRUE)
"""


class SkippedTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="daq-skipped-test-")
        with open(os.path.join(cls.tmp.name, "CMakeLists.txt"), "w") as f:
            f.write(PROJECT)
        build = os.path.join(cls.tmp.name, "build")
        subprocess.run(["cmake", "-S", cls.tmp.name, "-B", build], check=True,
                       capture_output=True, timeout=120)
        cls.results = os.path.join(cls.tmp.name, "results.xml")
        subprocess.run(["ctest", "--test-dir", build, "--output-junit", cls.results],
                       capture_output=True, timeout=120)  # fails: one test fails on purpose
        cls.listing = subprocess.run(
            [sys.executable, os.path.join(SOURCE_DIR, "scripts/skipped_tests.py"), cls.results],
            capture_output=True, text=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_lists_each_skipped_test_with_its_reason(self):
        self.assertEqual(self.listing.returncode, 0, self.listing.stderr)
        self.assertEqual(self.listing.stdout.splitlines(), [
            "  gtest_skip: no h5py here",
            "  exit_code_skip: no chromium (apt install chromium)",
            "  switched_off: disabled",
        ])

    def test_unreadable_results_are_an_error(self):
        run = subprocess.run(
            [sys.executable, os.path.join(SOURCE_DIR, "scripts/skipped_tests.py"),
             os.path.join(self.tmp.name, "missing.xml")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1)
        self.assertIn("missing.xml", run.stderr)
        self.assertIn("No such file", run.stderr)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
