#!/usr/bin/env python3
"""scripts/daq builds only when a source changed, and is silent when nothing did.

Usage: daq_script_test.py SOURCE_DIR

Copies scripts/daq and scripts/setup.sh into a scratch checkout whose `daq` is a one-file
program, then runs scripts/daq there: the first call builds; a call with nothing changed prints
nothing on stderr (no setup line, no build output); after an edit, a new file or a deleted file
it builds again, and the edit is in the program that runs.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE_DIR = sys.argv[1] if len(sys.argv) > 1 else ""

PROJECT = """cmake_minimum_required(VERSION 3.25)
project(fake_daq C)
add_subdirectory(apps/daq)
"""
APP = "add_executable(daq main.c)\n"
MAIN = """#include <stdio.h>
int main(int argc, char** argv) {{ printf("fake daq {version} %s\\n", argc > 1 ? argv[1] : ""); }}
"""


class DaqScript(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="daq-script-test-")
        self.root = self.tmp.name
        os.makedirs(os.path.join(self.root, "scripts"))
        for script in ["daq", "setup.sh"]:
            shutil.copy2(os.path.join(SOURCE_DIR, "scripts", script),
                         os.path.join(self.root, "scripts", script))
        for folder in ["cmake", "include", "src"]:
            os.mkdir(os.path.join(self.root, folder))
        self.write("CMakeLists.txt", PROJECT)
        self.write("apps/daq/CMakeLists.txt", APP)
        self.write("apps/daq/main.c", MAIN.format(version="v1"))

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, relative, text):
        path = os.path.join(self.root, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        self.age_stamp()

    def age_stamp(self):
        """Moves the last build back in time: what changed since is newer whatever the file
        system's time resolution."""
        stamp = os.path.join(self.root, "build/release/daq-sources.stamp")
        if os.path.exists(stamp):
            earlier = os.stat(stamp).st_mtime - 2
            os.utime(stamp, (earlier, earlier))

    def daq(self, *args):
        run = subprocess.run([os.path.join(self.root, "scripts/daq"), *args],
                             capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run

    def test_builds_once_then_is_silent(self):
        first = self.daq("--help")
        self.assertEqual(first.stdout, "fake daq v1 --help\n")
        again = self.daq("cameras")
        self.assertEqual(again.stdout, "fake daq v1 cameras\n")
        self.assertEqual(again.stderr, "", "nothing changed, yet scripts/daq printed")

    def test_rebuilds_after_an_edit(self):
        self.daq()
        self.write("apps/daq/main.c", MAIN.format(version="v2"))
        edited = self.daq("--help")
        self.assertEqual(edited.stdout, "fake daq v2 --help\n")
        self.assertNotEqual(edited.stderr, "", "an edited source did not start a build")
        self.assertEqual(self.daq("--help").stderr, "")

    def test_rebuilds_after_a_file_is_added_or_removed(self):
        self.daq()
        self.write("apps/daq/notes.txt", "new file\n")
        self.assertNotEqual(self.daq().stderr, "", "a new file did not start a build")
        self.assertEqual(self.daq().stderr, "")
        os.remove(os.path.join(self.root, "apps/daq/notes.txt"))
        self.age_stamp()
        self.assertNotEqual(self.daq().stderr, "", "a removed file did not start a build")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
