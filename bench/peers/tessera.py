"""The driver's handle on Tessera: a PeerServer JVM (bench/src/main/java/dev/tessera/bench/peers)
that answers one JSON line per command."""
import json
import os
import subprocess

from machine import THREADS, jvm_environment

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The heap is allocated and touched up front, so that heap growth never shows in a memory peak;
# tensors live outside it (native memory from Tessera's caching allocator).
HEAP = "1g"


def default_java():
    jdk = subprocess.run([os.path.join(ROOT, "scripts", "jdk25.sh")], capture_output=True, text=True).stdout.strip()
    return os.path.join(jdk, "bin", "java") if jdk else "java"


def default_classpath():
    """What `make classpath` wrote: every module's class path and bench's classes."""
    parts = []
    for module in ("tests", "bench"):
        path = os.path.join(ROOT, module, "target", "classpath.txt")
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing: run `make classpath` first")
        with open(path) as f:
            parts.append(f.read().strip())
    parts.append(os.path.join(ROOT, "bench", "target", "classes"))
    return ":".join(parts)


class TesseraServer:
    def __init__(self, java, classpath):
        self.command = [java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        f"-Dtessera.threads={THREADS}", f"-Xms{HEAP}", f"-Xmx{HEAP}", "-XX:+AlwaysPreTouch",
                        "-cp", classpath, "dev.tessera.bench.peers.PeerServer"]
        self.process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=jvm_environment())

    def ask(self, *words):
        """Sends one command and returns its JSON answer; a server-side error raises."""
        self.process.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"PeerServer exited (code {self.process.wait()}) on: {' '.join(map(str, words))}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError("PeerServer: " + answer["error"])
        return answer

    def setup(self, kernel, folder, params):
        return self.ask("setup", kernel, folder, *(f"{k}={v}" for k, v in params.items()))

    def time(self, reps):
        return self.ask("time", reps)["seconds"]

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            self.process.wait(timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
