"""Docker Engine and docker-compose for the suite, with the stand-in images the compose files name.

The baked compose files are started as a user starts them, with `docker-compose up -d` in the
project's directory (Debian 12's docker-compose 1.29, which honours `depends_on` conditions and
`deploy.replicas`; Docker Engine runs the HEALTHCHECKs). The suite's daemon is its own: its
images and volumes in a data root under STORE, apart from the machine's, and its network namespace of its
own, so that the ports the compose files publish (8000, 5432, 3306) are those of the
namespace's loopback, clashing with nothing on the machine. The daemon touches no firewall rule
(`--iptables=false`): the services reach each other by name on the project's bridge network,
and nothing in them needs the internet. The suite's requests are sent from inside the namespace
(harness/compose_client.py, under `nsenter`).

The images are built with Podman (harness/containers.py) and handed to Docker with `podman save |
docker load`: the app's image from the rendered Dockerfile as it is, and the stand-ins of the
database, PgBouncer and nginx images from Debian trixie's packages with entrypoints of ours
(harness/images/) that honour the environment variables the compose files set. They test the
compose files, not the upstream images. The stand-ins are built and loaded once per machine.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock
from filelock import Timeout

from harness.containers import IMAGES
from harness.containers import STORE
from harness.containers import ContainersUnavailable
from harness.containers import Podman
from harness.containers import full_name
from harness.containers import python_recipe
from harness.containers import stand_ins_lock
from harness.projects import explain

# The stand-in's target in harness/images/Dockerfile, by the repository the compose file names.
STAND_INS = {"postgres": "postgres", "mariadb": "mariadb", "edoburu/pgbouncer": "pgbouncer", "nginx": "nginx"}
# The Debian packages that hold the programs (.ci/packages lists them).
PACKAGES = {
    "dockerd": "docker.io",
    "docker": "docker.io",
    "docker-compose": "docker-compose",
    "unshare": "util-linux",
    "nsenter": "util-linux",
    "ip": "iproute2",
}
SBIN = "/usr/local/sbin:/usr/sbin:/sbin"
ROOT = Path(__file__).parents[1]


def find_program(name: str) -> str:
    """The path of a program, or ContainersUnavailable naming its package."""
    found = shutil.which(name) or shutil.which(name, path=SBIN)
    if not found:
        raise ContainersUnavailable(
            f"{name} is not installed (install the {PACKAGES[name]} package: .ci/install-deps)"
        )
    return found


@dataclass(frozen=True)
class Docker:
    """The suite's Docker daemon: its socket, and the network namespace it runs in."""

    docker: str
    compose: str
    socket: Path
    namespace: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "DOCKER_HOST": f"unix://{self.socket}"}

    def run(self, *args: str, timeout: float = 300, **options: Any) -> subprocess.CompletedProcess[str]:
        """Run `docker <args>`; never raises on failure."""
        return subprocess.run(
            [self.docker, *args], env=self.env(), capture_output=True, text=True, timeout=timeout,
            check=False, **options,
        )  # fmt: skip

    def must(self, *args: str, timeout: float = 300) -> str:
        """Run `docker <args>` and return its output; raise RuntimeError with it if it fails."""
        result = self.run(*args, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:2])} failed, {explain(result)}")
        return result.stdout

    def has_image(self, name: str) -> bool:
        return self.run("image", "inspect", name).returncode == 0

    def inspect(self, *containers: str) -> list[dict[str, Any]]:
        inspected: list[dict[str, Any]] = json.loads(self.must("inspect", *containers))
        return inspected

    def load(self, podman: Podman, *images: str) -> None:
        """Hand Podman's images to this daemon (their layers and names), with `podman save | docker load`."""
        with subprocess.Popen(
            [podman.executable, "save", "--multi-image-archive", "--format", "docker-archive", *images],
            env=podman.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        ) as save:  # fmt: skip
            loaded = self.run("load", stdin=save.stdout, timeout=900)
        if save.returncode != 0 or loaded.returncode != 0:
            raise RuntimeError(f"podman save | docker load failed, {explain(loaded)}")

    def namespaced(self, *command: str) -> list[str]:
        """A command that runs in the daemon's network namespace (where the published ports are)."""
        return [find_program("nsenter"), f"--net={self.namespace}", *command]

    def remove_everything(self) -> None:
        """Remove every container, volume and network of the daemon (the images stay, for the next run)."""
        containers = self.must("ps", "--all", "--quiet").split()
        if containers:
            self.run("rm", "--force", "--volumes", *containers)
        self.run("volume", "prune", "--force")
        self.run("network", "prune", "--force")


@contextmanager
def free_data_root() -> Iterator[tuple[Path, str]]:
    """A data root no other daemon of the suite uses, held until the daemon stops; and its name.

    A daemon owns its data root, so two suites (or two workers) at once take two roots instead
    of one waiting out the other's whole session. Each root keeps its images for the next run
    that takes it.
    """
    for number in itertools.count():
        name = f"docker-{number}"
        lock = FileLock(STORE / f"{name}.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            continue
        try:
            (STORE / name).mkdir(parents=True, exist_ok=True)
            yield STORE / name, name
        finally:
            lock.release()
        return


@contextmanager
def docker_engine() -> Iterator[Docker]:
    """Start the suite's dockerd in a network namespace of its own, on a free data root; stop it after."""
    dockerd, docker, compose = (find_program(name) for name in ("dockerd", "docker", "docker-compose"))
    unshare, ip = find_program("unshare"), find_program("ip")
    find_program("nsenter")
    if os.geteuid() != 0:
        raise ContainersUnavailable("the compose tests run Docker Engine as root")
    STORE.mkdir(parents=True, exist_ok=True)
    with free_data_root() as (data_root, name):
        # Under /run: containerd's socket path must stay short.
        run = Path(tempfile.mkdtemp(prefix="template-suite-docker-", dir="/run"))
        # The namespace's loopback up, then the daemon in it, its own process (so its pid's namespace).
        script = f'"{ip}" link set lo up && exec "$@"'
        with (run / "dockerd.log").open("w") as log, subprocess.Popen(
            [unshare, "--net", "sh", "-c", script, "dockerd", dockerd,
             "--data-root", str(data_root), "--exec-root", str(run / "exec"),
             "--pidfile", str(run / "dockerd.pid"), "--host", f"unix://{run / 'docker.sock'}",
             "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--bridge=none",
             # Apart from the machine's Docker, if its containerd is the one this daemon finds.
             "--containerd-namespace", f"template-suite-{name}",
             "--containerd-plugins-namespace", f"template-suite-{name}-plugins"],
            env={**os.environ, "PATH": f"{os.environ.get('PATH', '')}:{SBIN}"},
            stdout=subprocess.DEVNULL, stderr=log,
        ) as daemon:  # fmt: skip
            engine = Docker(docker, compose, run / "docker.sock", Path(f"/proc/{daemon.pid}/ns/net"))
            try:
                wait_for_daemon(engine, daemon, run / "dockerd.log")
                yield engine
            finally:
                if daemon.poll() is None:
                    engine.remove_everything()
                daemon.terminate()
                try:
                    daemon.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    daemon.kill()
                    daemon.wait()
                shutil.rmtree(run, ignore_errors=True)


def wait_for_daemon(engine: Docker, daemon: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while engine.run("version").returncode != 0:
        if daemon.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"dockerd did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)


def stand_ins_named(compose_file: Path) -> list[str]:
    """The images a compose file names that the suite stands in for (every one but the app's)."""
    services = yaml.safe_load(compose_file.read_text())["services"]
    return sorted({service["image"] for service in services.values() if "build" not in service})


def app_image_named(compose_file: Path) -> str:
    """The name the compose file gives the app's image, which it builds."""
    return str(yaml.safe_load(compose_file.read_text())["services"]["app"]["image"])


def provide_stand_ins(engine: Docker, podman: Podman, names: list[str]) -> None:
    """Tag the stand-ins of these images in the daemon: built by Podman and loaded, unless there already."""
    base = python_recipe("3.13")
    # A tag of their recipe: the base, the Dockerfile and the entrypoints.
    recipe = hashlib.sha256(base.tag.encode())
    for path in sorted(IMAGES.iterdir()):
        recipe.update(path.name.encode() + path.read_bytes())
    targets = {name: STAND_INS[name.rsplit(":", 1)[0]] for name in names}
    tags = {
        target: f"localhost/template-suite-{target}:{recipe.hexdigest()[:16]}" for target in targets.values()
    }
    missing = {target: tag for target, tag in tags.items() if not engine.has_image(tag)}
    if missing:
        with stand_ins_lock():
            if not podman.exists(base.tag):
                podman.import_rootfs(base)
        for target, tag in missing.items():
            built = podman.build(IMAGES, tag, "--target", target, "--build-arg", f"BASE={base.tag}")
            if built.returncode != 0:
                raise RuntimeError(f"the stand-in {target} did not build, {explain(built)}")
        engine.load(podman, *missing.values())
    for name, target in targets.items():
        engine.must("tag", tags[target], full_name(name))


@dataclass(frozen=True)
class Answer:
    """What the proxy answered a request: status None when no answer came (then error says why)."""

    status: int | None
    headers: dict[str, str]
    body: str
    error: str = ""

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Stack:
    """A baked project's compose file, run by docker-compose in the project's directory."""

    engine: Docker
    directory: Path
    # The port the proxy publishes, on the loopback of the daemon's namespace.
    port: int

    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run `docker-compose <args>` in the project, as a user does; never raises on failure."""
        return subprocess.run(
            [self.engine.compose, *args], cwd=self.directory, env=self.engine.env(),
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def containers(self, service: str) -> list[dict[str, Any]]:
        """docker inspect of the service's containers, running or not."""
        ids = self.compose("ps", "--quiet", service).stdout.split()
        return self.engine.inspect(*ids) if ids else []

    def client(self, job: dict[str, Any]) -> subprocess.Popen[str]:
        """Start the suite's client (harness/compose_client.py) on a job, in the daemon's namespace."""
        command = [sys.executable, "-m", "harness.compose_client", str(self.port), json.dumps(job)]
        return subprocess.Popen(
            self.engine.namespaced(*command),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def answers(client: subprocess.Popen[str], timeout: float = 300) -> list[Answer]:
        """The answers the client got, once it is done."""
        stdout, stderr = client.communicate(timeout=timeout)
        if client.returncode != 0:
            raise RuntimeError(f"the client failed with {client.returncode}: {stderr[-3000:]}")
        return [Answer(**answer) for answer in json.loads(stdout)]

    def request(self, method: str, path: str, body: str | None = None, **headers: str) -> Answer:
        """One request to the proxy."""
        job = {"requests": [{"method": method, "path": path, "body": body, "headers": headers}]}
        [answer] = self.answers(self.client(job))
        return answer

    def logs(self, container: str) -> str:
        result = self.engine.run("logs", container)
        return result.stdout + result.stderr


def published_port(compose_file: Path, service: str) -> int:
    """The host port the service publishes ("127.0.0.1:8000:8000" gives 8000)."""
    [mapping] = yaml.safe_load(compose_file.read_text())["services"][service]["ports"]
    return int(mapping.split(":")[-2])
