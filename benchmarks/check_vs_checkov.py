"""`eks-doctor check` beside checkov on the same manifests, and on one large file.

Prints, for a folder of generated manifests (600 files holding 2,000 objects by default): the wall time
and peak memory of `eks-doctor check DIR --json` and of `checkov -d DIR --framework kubernetes`, and the
ratio. Then the same figures for `eks-doctor check` on one multi-document file of about 50 MB.

checkov is not a dependency of this project; install it apart, for instance:

    python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov
    .venv/bin/python benchmarks/check_vs_checkov.py --checkov /tmp/checkov-venv/bin/checkov

Without it (no --checkov, no $CHECKOV, no `checkov` on the PATH and none in /tmp/checkov-venv) the
checkov run is skipped, saying so. `--big-mb 0` skips the large file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service")


def manifest(i: int) -> str:
    """One object of a realistic shape; every tenth listens on 9100, every seventh has short ipvs timeouts."""
    kind = KINDS[i % len(KINDS)]
    name, namespace = f"app-{i}", f"team-{i % 20}"
    if kind == "Service":
        return (
            f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
            f"spec:\n  selector: {{app: app-{i - 1}}}\n  ports: [{{port: 80, targetPort: 8080, name: http}}]\n"
        )
    port = 9100 if i % 10 == 0 else 8080
    timeout = '"5s"' if i % 7 == 0 else '"120s"'
    pod = f"""    metadata:
      labels: {{app: {name}}}
      annotations:
        eks.tke.cloud.tencent.com/ipvs-udp-timeout: {timeout}
    spec:
      containers:
      - name: app
        image: registry.example.com/{name}:1.{i}
        args: ["--listen", ":{port}"]
        ports: [{{containerPort: {port}, name: http}}]
        env: [{{name: MODE, value: production}}]
        resources: {{requests: {{cpu: 250m, memory: 256Mi}}, limits: {{memory: 512Mi}}}}
"""
    if kind == "CronJob":
        indented = "".join("    " + line + "\n" for line in pod.splitlines())
        body = f'  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n{indented}'
    elif kind == "Job":
        body = f"  parallelism: 2\n  template:\n{pod}".replace("    spec:\n      containers", "    spec:\n      restartPolicy: Never\n      containers")  # noqa: E501
    else:
        replicas = "" if kind == "DaemonSet" else "  replicas: 3\n"
        body = f"{replicas}  selector:\n    matchLabels: {{app: {name}}}\n  template:\n{pod}"
    group = "batch/v1" if kind in ("Job", "CronJob") else "apps/v1"
    return f"apiVersion: {group}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n{body}"


def write_folder(folder: Path, *, files: int, objects: int) -> None:
    per_file = [objects // files + (1 if n < objects % files else 0) for n in range(files)]
    i = 0
    for n, count in enumerate(per_file):
        docs = [manifest(i + k) for k in range(count)]
        i += count
        (folder / f"service-{n:04d}.yaml").write_text("---\n".join(docs))


def write_big(path: Path, *, megabytes: int) -> int:
    written, i = 0, 0
    with path.open("w") as out:
        while written < megabytes * 1024 * 1024:
            text = ("---\n" if i else "") + manifest(i)
            out.write(text)
            written += len(text)
            i += 1
    return i


def measure(command: list[str], *, cwd: Path | None = None) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def find_checkov(given: str | None) -> str | None:
    for candidate in (given, os.environ.get("CHECKOV"), shutil.which("checkov"), "/tmp/checkov-venv/bin/checkov"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--big-mb", type=int, default=50, help="size of the one large file (0: skip)")
    parser.add_argument("--checkov", help="the checkov executable (default: $CHECKOV, the PATH, /tmp/checkov-venv)")
    parser.add_argument("--no-checkov", action="store_true", help="skip checkov even when it is installed")
    args = parser.parse_args()
    eks_doctor = [sys.executable, "-m", "bot.cli.app", "check", "--json"]
    env_note = f"python {sys.version.split()[0]}, {os.cpu_count()} cores"
    try:
        import yaml

        env_note += ", libyaml " + ("yes" if yaml.__with_libyaml__ else "no")
    except ImportError:
        pass
    print(f"# check_vs_checkov ({env_note})")
    with tempfile.TemporaryDirectory(prefix="eks-doctor-bench-") as tmp:
        folder = Path(tmp) / "manifests"
        folder.mkdir()
        write_folder(folder, files=args.files, objects=args.objects)
        print(f"folder: {args.files} files, {args.objects} objects")
        ours = measure([*eks_doctor, str(folder)])
        print(f"  eks-doctor check   {ours[0]:7.2f} s  peak RSS {ours[1]:7.1f} MB  exit {ours[2]}")
        checkov = None if args.no_checkov else find_checkov(args.checkov)
        if args.no_checkov:
            print("  checkov            skipped (--no-checkov)")
        elif checkov is None:
            print("  checkov            skipped: not installed (see the top of this script for how to install it)")
        else:
            theirs = measure([checkov, "-d", str(folder), "--framework", "kubernetes", "--quiet", "--compact",
                              "-o", "json", "--skip-download"], cwd=Path(tmp))  # fmt: skip
            print(f"  checkov            {theirs[0]:7.2f} s  peak RSS {theirs[1]:7.1f} MB  exit {theirs[2]}")
            print(f"  eks-doctor is {theirs[0] / ours[0]:.1f}x faster")
        if args.big_mb > 0:
            big = Path(tmp) / "big.yaml"
            count = write_big(big, megabytes=args.big_mb)
            size = big.stat().st_size / 1024 / 1024
            result = measure([*eks_doctor, str(big)])
            print(f"one file: {size:.0f} MB, {count} objects")
            print(f"  eks-doctor check   {result[0]:7.2f} s  peak RSS {result[1]:7.1f} MB  exit {result[2]}")


if __name__ == "__main__":
    main()
