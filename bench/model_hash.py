"""Hash a 2 GB model directory with releaser's streaming hasher vs `sha256sum` over the same
files: wall time ratio (goal <= 1.2x) and peak memory (goal: flat, independent of size).

Usage: python bench/model_hash.py [--gb 2] [--files 8]
The directory is generated under /tmp and deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from releaser.models.hashing import hash_file  # noqa: E402


def generate(root: Path, total: int, count: int) -> list[str]:
    names = []
    block = os.urandom(1024 * 1024)
    for index in range(count):
        name = f"model-{index:05d}-of-{count:05d}.safetensors"
        with open(root / name, "wb") as out:
            for _ in range(total // count // len(block)):
                out.write(block)
        names.append(name)
    return names


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=2.0)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="releaser-model-bench-"))
    try:
        names = generate(root, int(args.gb * 1024**3), args.files)
        subprocess.run(["cat", *names], cwd=root, stdout=subprocess.DEVNULL, check=True)  # warm
        start = time.perf_counter()
        subprocess.run(["sha256sum", *names], cwd=root, stdout=subprocess.DEVNULL, check=True)
        floor = time.perf_counter() - start
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        for name in names:
            hash_file(root, name)
        ours = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"files={len(names)} size={args.gb:g} GB")
        print(f"sha256sum: {floor:.2f} s")
        print(f"releaser:  {ours:.2f} s  ratio {ours / floor:.2f}x")
        print(f"peak RSS before hashing {before // 1024} MiB, after {after // 1024} MiB")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
