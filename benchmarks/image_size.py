"""How big the container image is, from its layers' contents (no Docker engine needed).

Builds the application layer exactly as the Dockerfile's build stage does (a virtual environment without
pip, `pip install --no-compile .` from pyproject.toml, then byte-compiled) in a temporary folder, and
prints its size on disk and gzip-compressed (as a registry stores and a node pulls it), with the largest
packages. The base image (python:3.11-slim-bookworm) is not built here: its size is the published one.

    .venv/bin/python benchmarks/image_size.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: python:3.11-slim-bookworm, linux/amd64, as published (uncompressed on disk, compressed pull).
BASE_IMAGE = ("python:3.11-slim-bookworm", 125, 45)


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def gzip_size(path: Path, out: Path) -> int:
    archive = out / "layer.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(path, arcname="opt/eks-doctor")
    return archive.stat().st_size


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="eks-doctor-image-") as tmp:
        work = Path(tmp)
        venv = work / "opt-eks-doctor"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1"}
        pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile"]
        subprocess.run([*pip, str(ROOT)], check=True, env=env)
        subprocess.run([str(python), "-m", "compileall", "-q", str(venv / "lib")], check=True)
        site = next((venv / "lib").glob("python3*/site-packages"))
        on_disk, compressed = size_of(venv), gzip_size(venv, work)
        name, base_disk, base_pull = BASE_IMAGE
        mib = 1024 * 1024
        print(
            f"application layer (/opt/eks-doctor): {on_disk / mib:6.1f} MiB on disk, {compressed / mib:5.1f} MiB gzip",
        )
        print(f"base image {name}:      ~{base_disk:4d}   MB on disk,  ~{base_pull:3d}  MB gzip (published)")
        print("user and folders layer:                 <0.1 MiB")
        total_disk, total_pull = on_disk / mib + base_disk, compressed / mib + base_pull
        print(f"image: ~{total_disk:.0f} MiB on disk, ~{total_pull:.0f} MiB to pull")
        print("largest packages:")
        packages = sorted(((size_of(p), p.name) for p in site.iterdir() if p.is_dir()), reverse=True)
        for size, package in packages[:8]:
            print(f"  {package:32s} {size / mib:6.1f} MiB")


if __name__ == "__main__":
    main()
