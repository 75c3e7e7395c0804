"""A real container builder for the suite (Podman), and stand-in images made from Debian's archive.

Nothing is pulled: the suite can reach Debian's archive and PyPI, not a registry. So the images
the baked Dockerfile and compose files name are stood in for, under those very names:
`python:3.13-slim` by a Debian trixie root filesystem (`debootstrap`, Python 3.13), uv's image by
the `uv` binary of uv's PyPI wheel (the suite's own, in its virtual environment), and the
database, PgBouncer and nginx images by Debian's packages with small entrypoints of ours (in
harness/images/) that honour the environment variables the compose files set. They test the
baked files, not the upstream images.

Podman keeps the suite's images, containers and volumes in a store of its own (STORE), apart from
the machine's. A stand-in is built once per machine and reused: its tag holds a hash of its
recipe, and a file lock keeps two workers from building the same one at once. The layers that
builds leave untagged are pruned once they are a day old (a rebuild test makes new ones each run).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from harness.projects import explain

# The programs the container tests need, and the Debian packages that hold them.
DEBIAN_MIRROR = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
# Debian's release whose python3 stands in for python:<version>-slim.
DEBIAN_PYTHON = {"3.13": "trixie"}
IMAGES = Path(__file__).parent / "images"
# uv inside a build trusts the system's certificates, which the build mounts from the host's
# bundle (TLS to PyPI may go through a proxy whose root only the host trusts); neither is kept.
UV_CONFIG = "system-certs = true\n"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
STORE = Path("/var/tmp/template-suite-containers")


class ContainersUnavailable(Exception):
    """A program the container tests need is missing (the message names its package)."""


@dataclass(frozen=True)
class Recipe:
    """A Debian root filesystem, imported as an image: the release, packages and image settings."""

    release: str
    packages: tuple[str, ...]
    changes: tuple[str, ...]

    @property
    def tag(self) -> str:
        """The image's own name: a hash of the recipe, so that a changed recipe builds anew."""
        digest = hashlib.sha256(json.dumps([self.release, self.packages, self.changes]).encode()).hexdigest()
        return f"localhost/template-suite-base:{digest[:16]}"


def python_recipe(version: str) -> Recipe:
    """The stand-in of python:<version>-slim: Debian's python3 (the slim image has no compiler)."""
    if version not in DEBIAN_PYTHON:
        raise ValueError(f"no Debian release ships Python {version}: bake with {', '.join(DEBIAN_PYTHON)}")
    return Recipe(
        release=DEBIAN_PYTHON[version],
        packages=("python3", "python-is-python3", "ca-certificates"),
        changes=("ENV LANG=C.UTF-8", 'CMD ["python3"]'),
    )


def full_name(image: str) -> str:
    """The name under which an unqualified image is looked up: `python:3.13` is Docker Hub's."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        return image
    return f"docker.io/{image}" if "/" in image else f"docker.io/library/{image}"


def base_images(dockerfile: str) -> tuple[str, str]:
    """The Python base image and the uv image a Dockerfile names (FROM and COPY --from)."""
    [python] = set(re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE))
    [uv] = re.findall(r"^COPY --from=(\S+/\S+)", dockerfile, flags=re.MULTILINE)
    return python, uv


def find_tool(name: str) -> str:
    """The path of a program the container tests need, or ContainersUnavailable naming its package."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        # Each program comes in the Debian package of its own name (.ci/packages lists them).
        raise ContainersUnavailable(f"{name} is not installed (install the {name} package: .ci/install-deps)")
    return found


@dataclass(frozen=True)
class Podman:
    """Podman, run as root with a configuration of the suite's own (nothing of the host's changed)."""

    executable: str
    config_dir: Path

    @classmethod
    def create(cls, config_dir: Path) -> Podman:
        """Podman with the suite's containers.conf in config_dir; ContainersUnavailable if it cannot run."""
        executable = find_tool("podman")
        find_tool("runc")
        find_tool("debootstrap")
        if os.geteuid() != 0:
            raise ContainersUnavailable("the container tests run Podman as root (and debootstrap needs root)")
        config_dir.mkdir(parents=True, exist_ok=True)
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        # runc, not crun: Debian 12's crun fails here on cgroup v1. The containers get the host's
        # hard limit of open files (more than it is refused), and a bound on processes.
        (config_dir / "containers.conf").write_text(
            "[containers]\n"
            f'default_ulimits = ["nofile={hard}:{hard}", "nproc=32768:32768"]\n'
            "[engine]\n"
            'runtime = "runc"\n'
        )
        (config_dir / "storage.conf").write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{STORE / "storage"}"\nrunroot = "{STORE / "run"}"\n'
        )
        (config_dir / "uv.toml").write_text(UV_CONFIG)
        return cls(executable, config_dir)

    def env(self) -> dict[str, str]:
        """The environment of a podman command: the suite's configuration and store."""
        return {
            **os.environ,
            "CONTAINERS_CONF": str(self.config_dir / "containers.conf"),
            "CONTAINERS_STORAGE_CONF": str(self.config_dir / "storage.conf"),
        }

    def run(
        self, *args: str | Path, timeout: float = 600, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `podman <args>`; never raises on failure."""
        return subprocess.run(
            [self.executable, *(str(arg) for arg in args)],
            cwd=cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def must(self, *args: str | Path, timeout: float = 600, cwd: Path | None = None) -> str:
        """Run `podman <args>` and return its output; raise RuntimeError with it if it fails."""
        result = self.run(*args, timeout=timeout, cwd=cwd)
        if result.returncode != 0:
            raise RuntimeError(f"podman {' '.join(str(arg) for arg in args[:2])} failed, {explain(result)}")
        return result.stdout

    def exists(self, image: str) -> bool:
        return self.run("image", "exists", image).returncode == 0

    def build(self, context: Path, tag: str, *options: str) -> subprocess.CompletedProcess[str]:
        """Build an image from context's Dockerfile with pulls disabled; never raises on failure.

        Docker's image format, which keeps HEALTHCHECK (OCI's drops it). RUN steps see the host's
        CA bundle and a uv configuration that trusts it, mounted, never copied into a layer.
        """
        return self.run(
            "build", "--pull=never", "--network=host", "--format=docker", "--force-rm", "--tag", tag,
            "--volume", f"{HOST_CA_BUNDLE}:{HOST_CA_BUNDLE}:ro",
            "--volume", f"{self.config_dir / 'uv.toml'}:/etc/uv/uv.toml:ro",
            *options, context,
            cwd=context,
        )  # fmt: skip

    def import_rootfs(self, recipe: Recipe) -> None:
        """Build the recipe's root filesystem with debootstrap and import it under recipe.tag."""
        debootstrap = find_tool("debootstrap")
        with tempfile.TemporaryDirectory(prefix="template-suite-rootfs-", dir="/var/tmp") as root:
            bootstrapped = subprocess.run(
                [debootstrap, "--variant=minbase", f"--include={','.join(recipe.packages)}",
                 recipe.release, root, DEBIAN_MIRROR],
                capture_output=True, text=True, timeout=1200, check=False,
            )  # fmt: skip
            if bootstrapped.returncode != 0:
                raise RuntimeError(f"debootstrap {recipe.release} failed, {explain(bootstrapped)}")
            # What an image leaves out: the downloaded packages and the package lists.
            for leftover in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for path in Path(root, leftover).glob("*"):
                    if path.is_file():
                        path.unlink()
            changes = [option for change in recipe.changes for option in ("--change", change)]
            with subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE) as tar:
                imported = subprocess.run(
                    [self.executable, "import", *changes, "-", recipe.tag], stdin=tar.stdout,
                    env=self.env(), capture_output=True, text=True, timeout=600, check=False,
                )  # fmt: skip
            if imported.returncode != 0:
                raise RuntimeError(f"podman import failed, {explain(imported)}")

    def provide(self, recipe: Recipe, *names: str) -> None:
        """Tag the recipe's image (built here unless an earlier run or worker built it) as names."""
        with stand_ins_lock():
            # Only the untagged layers of earlier runs: no build of this run is that old.
            self.run("image", "prune", "--force", "--filter", "until=24h")
            if not self.exists(recipe.tag):
                self.import_rootfs(recipe)
            for name in names:
                self.must("tag", recipe.tag, full_name(name))

    def provide_uv(self, name: str, scratch: Path) -> None:
        """Tag an image holding /uv, the suite's own uv binary (from uv's wheel on PyPI), as name."""
        uv = Path(sys.executable).with_name("uv")
        version = subprocess.run(
            [uv, "--version"], capture_output=True, text=True, check=True
        ).stdout.split()[1]
        if not f"{version}.".startswith(name.rsplit(":", 1)[1] + "."):
            raise RuntimeError(f"the suite's uv is {version}, the Dockerfile's {name}: pin one uv for both")
        tag = f"localhost/template-suite-uv:{hashlib.sha256(uv.read_bytes()).hexdigest()[:16]}"
        # Once: an image built anew would change the layers built on it, and miss their cache.
        with stand_ins_lock():
            if not self.exists(tag):
                scratch.mkdir(parents=True, exist_ok=True)
                shutil.copy2(uv, scratch / "uv")
                (scratch / "Dockerfile").write_text("FROM scratch\nCOPY uv /uv\n")
                built = self.build(scratch, tag)
                if built.returncode != 0:
                    raise RuntimeError(f"the uv image did not build, {explain(built)}")
            self.must("tag", tag, full_name(name))

    def remove_container(self, name: str) -> None:
        self.run("rm", "--force", "--time", "5", name)

    @contextmanager
    def container(self, name: str, image: str, *args: str) -> Iterator[str]:
        """Start `podman run --detach --name name <args> image`, and always remove it after."""
        self.must("run", "--detach", "--name", name, *args, image)
        try:
            yield name
        finally:
            self.remove_container(name)

    def outcome(self, image: str, *args: str, timeout: float = 60) -> tuple[int, str]:
        """Run a container to its end; return its exit status and its own output (not podman's)."""
        name = f"template-suite-{secrets.token_hex(4)}"
        with self.container(name, image, *args):
            status = int(self.must("wait", name, timeout=timeout).strip())
            return status, self.logs(name)

    def logs(self, name: str) -> str:
        result = self.run("logs", name)
        return (result.stdout + result.stderr)[-4000:]


def stand_ins_lock() -> FileLock:
    """Held while a worker builds or tags a stand-in, so that two never build one at once."""
    return FileLock(Path(tempfile.gettempdir()) / "template-suite-standin-images.lock")


def wait_for_http(url: str, *, timeout: float = 30.0) -> int:
    """Poll url until it answers; return the status. Raise TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")
