"""Runs `daq serve` for a scenario on free ports and tears it down."""
import subprocess


class ServeProcess:
    """`with ServeProcess(daq, data_dir, flags...) as server:` — server.grpc_port,
    server.http_port, server.process; wait() returns the exit status."""

    def __init__(self, daq, data_dir, *flags, grpc="127.0.0.1:0", http="127.0.0.1:0",
                 wrapper=()):
        self.args = [*wrapper, daq.binary, "serve", "--grpc", grpc, "--http", http,
                     "--data-dir", data_dir, *map(str, flags)]
        self.process = None
        self._stdout = []

    def __enter__(self):
        self.process = subprocess.Popen(self.args, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()  # "daq serve: gRPC on port N, HTTP on port M, ..."
        self._stdout.append(line)
        if not line.startswith("daq serve: gRPC on port"):
            self.process.kill()
            raise AssertionError(f"daq serve did not start: {line!r}\n{self.process.stderr.read()}")
        words = line.replace(",", "").split()
        self.grpc_port, self.http_port = int(words[5]), int(words[9])
        return self

    def wait(self, timeout=120):
        rc = self.process.wait(timeout=timeout)
        self._stdout.append(self.process.stdout.read())
        return rc

    def output(self):
        return "".join(self._stdout) + (self.process.stderr.read() or "")

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
