"""The baked image, built and run with a real builder (Podman) from the rendered Dockerfile as it is.

The base images are stand-ins made from Debian's archive (harness/containers.py), so this tests
the baked Dockerfile, not the upstream images. The projects are baked with Python 3.13, the one
Debian ships: another version changes only the FROM tag. Each database x auth, drivers pairwise.
"""

from __future__ import annotations

import secrets
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from harness.combinations import AUTHS
from harness.combinations import NAMES_BY_AUTH
from harness.combinations import Combination
from harness.combinations import parametrize_combinations
from harness.containers import ContainersUnavailable
from harness.containers import Podman
from harness.containers import base_images
from harness.containers import python_recipe
from harness.containers import wait_for_http
from harness.projects import Baked
from harness.projects import explain
from harness.servers import DatabaseServer
from harness.servers import free_port
from harness.servers import unavailable
from tests.conftest import Bakery

DRIVERS = {"password": "async", "oidc": "sync", "none": "async"}
# Each database x auth; each database with both drivers.
IMAGES = [
    Combination(
        database,
        DRIVERS[auth] if database != "postgresql" else {"async": "sync", "sync": "async"}[DRIVERS[auth]],
        auth,
        python_version="3.13",
        names=NAMES_BY_AUTH[auth],
    )
    for database in ("sqlite", "postgresql", "mysql")
    for auth in AUTHS
]
# The rebuild after a change to the code, on one combination per database and per auth: the
# layers' order is the same in every Dockerfile, and a rebuild costs a build's time.
REBUILT = [
    c
    for c in IMAGES
    if (c.database, c.auth) in {("sqlite", "password"), ("postgresql", "oidc"), ("mysql", "none")}
]
# What the image cannot start without, by auth (DATABASE_URL: where SQLite's default is not).
REQUIRED = {"password": ["SECRET_KEY"], "oidc": ["OIDC_ISSUER", "OIDC_AUDIENCE"], "none": ["DATABASE_URL"]}
UID = 10001
# No timer runs the HEALTHCHECK (podman would ask systemd for one): the tests run it.
NO_TIMER = ["--health-interval=disable"]


@pytest.fixture(scope="session")
def podman(tmp_path_factory: pytest.TempPathFactory) -> Podman:
    """Podman, with the stand-in bases of the Dockerfile's FROM and uv images tagged."""
    try:
        podman = Podman.create(tmp_path_factory.mktemp("podman"))
    except ContainersUnavailable as error:
        unavailable(str(error))
    return podman


@dataclass
class Image:
    """A baked project's image, built by the suite."""

    baked: Baked
    tag: str
    build: subprocess.CompletedProcess[str]


class Images:
    """Builds each combination's image once per worker (bases first, once per machine)."""

    def __init__(self, podman: Podman, bakery: Bakery, scratch: Path) -> None:
        self.podman = podman
        self._bakery = bakery
        self._scratch = scratch
        self._built: dict[Combination, Image] = {}
        self._bases: set[str] = set()

    def provide_bases(self, baked: Baked) -> None:
        python, uv = base_images((baked.path / "Dockerfile").read_text())
        if {python, uv} <= self._bases:
            return
        self.podman.provide(python_recipe(baked.combination.python_version), python)
        self.podman.provide_uv(uv, self._scratch / "uv")
        self._bases |= {python, uv}

    def remove(self) -> None:
        for image in self._built.values():
            self.podman.run("rmi", "--force", image.tag)

    def image(self, combination: Combination) -> Image:
        if combination not in self._built:
            baked = self._bakery.bake(combination)
            # What `make install` leaves for the user to commit.
            locked = baked.run("uv", "lock", "--quiet")
            assert locked.returncode == 0, explain(locked)
            self.provide_bases(baked)
            # The README names the image by the slug; combinations share slugs, so the suite's tag
            # adds the combination.
            tag = f"{baked.answers['project_slug']}:{combination.id}"
            self._built[combination] = Image(baked, tag, self.podman.build(baked.path, tag))
        return self._built[combination]


@pytest.fixture(scope="session")
def images(podman: Podman, bakery: Bakery, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Images]:
    """The images this worker builds, removed at the end (the stand-in bases stay, for the next run)."""
    images = Images(podman, bakery, tmp_path_factory.mktemp("images"))
    yield images
    images.remove()


@pytest.fixture
def image(images: Images, combination: Combination) -> Image:
    """The combination's image; a failed build fails the test that asked for it."""
    built = images.image(combination)
    assert built.build.returncode == 0, explain(built.build)
    return built


@parametrize_combinations(REBUILT)
def test_image_builds_and_a_code_change_reuses_the_dependency_layer(image: Image, podman: Podman) -> None:
    module = image.baked.path / "src" / image.baked.package / "__init__.py"
    # Never seen before: the builder's cache outlives the run.
    module.write_text(module.read_text() + f"# A change to the code alone: {secrets.token_hex(8)}.\n")

    rebuilt = podman.build(image.baked.path, image.tag)

    assert rebuilt.returncode == 0, explain(rebuilt)
    steps = step_outputs(rebuilt.stdout)
    dependencies = next(output for step, output in steps if "--no-install-project" in step)
    code = next(output for step, output in steps if step.startswith("COPY src "))
    assert "Using cache" in dependencies, rebuilt.stdout[-3000:]
    assert "Using cache" not in code, "the code's layer came from the cache: the change was not built"


def step_outputs(build_log: str) -> list[tuple[str, str]]:
    """The build's steps, each with the builder's output for it: `[1/2] STEP 6/9: RUN ...`."""
    parts = [part for part in build_log.split("\n[") if "] STEP " in part]
    return [(part.split(": ", 1)[1].splitlines()[0], part) for part in parts]


# On the worker that builds that image.
@pytest.mark.xdist_group(IMAGES[0].id)
def test_build_without_uv_lock_says_how_to_make_one(images: Images, tmp_path: Path) -> None:
    built = images.image(IMAGES[0])
    project = tmp_path / "project"
    shutil.copytree(built.baked.path, project)
    (project / "uv.lock").unlink()

    result = images.podman.build(project, "template-suite-without-lock")

    assert result.returncode != 0
    assert "uv.lock is missing: run make install (uv lock) and commit it" in result.stderr + result.stdout


@dataclass
class Deployment:
    """The image started as the README says: migrated, then serving on the host's network."""

    image: Image
    container: str
    port: int
    env: dict[str, str]
    migrated: subprocess.CompletedProcess[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def settings_for(image: Image, database_url: str) -> dict[str, str]:
    """Production settings the image accepts: the auth's secrets, and the database if not SQLite."""
    env = {} if image.baked.combination.database == "sqlite" else {"DATABASE_URL": database_url}
    # The tests and the HEALTHCHECK call it at 127.0.0.1.
    env["TRUSTED_HOSTS"] = '["127.0.0.1"]'
    if image.baked.combination.auth == "password":
        env["SECRET_KEY"] = secrets.token_urlsafe(48)
    elif image.baked.combination.auth == "oidc":
        env |= {"OIDC_ISSUER": "https://issuer.example.com", "OIDC_AUDIENCE": "template-suite"}
    return env


def with_password(url: str) -> str:
    """The URL with a password (production requires one; the suite's PostgreSQL trusts loopback)."""
    parsed = make_url(url)
    return (
        url
        if parsed.password
        else parsed.set(password="unused-by-trust").render_as_string(hide_password=False)
    )


def env_options(env: dict[str, str]) -> list[str]:
    return [option for name, value in env.items() for option in ("--env", f"{name}={value}")]


@pytest.fixture
def deployment(request: pytest.FixtureRequest, image: Image, podman: Podman) -> Iterator[Deployment]:
    """The README's migration command run with the image, then the image serving on a free PORT."""
    combination = image.baked.combination
    name = f"template-suite-{secrets.token_hex(4)}"
    slug = image.baked.answers["project_slug"]
    volume = f"{slug}-data"
    database_url = ""
    if combination.database != "sqlite":
        server: DatabaseServer = request.getfixturevalue(combination.database)
        database = f"image_{secrets.token_hex(4)}"
        server.create_database(database)
        database_url = with_password(server.url(database, driver=combination.url_scheme))
    [command] = [
        line for line in (image.baked.path / "README.md").read_text().splitlines()
        if line.startswith("docker run") and "alembic upgrade head" in line
    ]  # fmt: skip
    migrated = subprocess.run(
        [podman.executable, *(image.tag if word == slug else word for word in shlex.split(command)[1:])],
        env={**podman.env(), "DATABASE_URL": database_url},
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    env = {**settings_for(image, database_url), "PORT": str(free_port())}
    options = ["--network=host", *NO_TIMER, *env_options(env)]
    if combination.database == "sqlite":
        options += ["--volume", f"{volume}:/app/data"]
    try:
        with podman.container(name, image.tag, *options):
            yield Deployment(image, name, int(env["PORT"]), env, migrated)
    finally:
        podman.run("volume", "rm", "--force", volume)


@parametrize_combinations(IMAGES)
def test_readme_migration_runs_and_the_image_serves_its_health_from_the_host(
    deployment: Deployment, podman: Podman
) -> None:
    assert deployment.migrated.returncode == 0, explain(deployment.migrated)
    try:
        health = wait_for_http(f"{deployment.url}/health")
        database = wait_for_http(f"{deployment.url}/health/db")
    except TimeoutError as error:
        pytest.fail(f"{error}:\n{podman.logs(deployment.container)}")

    assert (health, database) == (200, 200)
    # The HEALTHCHECK, on the PORT the service was given (not the image's 8000).
    checked = podman.run("healthcheck", "run", deployment.container)
    assert checked.returncode == 0, explain(checked)
    pid = podman.must("inspect", "--format", "{{.State.Pid}}", deployment.container).strip()
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    assert set(status["Uid"].split()) == {str(UID)}, "real, effective, saved and file-system uid"


@parametrize_combinations(IMAGES)
def test_healthcheck_passes_on_the_images_own_port(image: Image, podman: Podman) -> None:
    env = settings_for(image, with_password(f"{image.baked.combination.url_scheme}://app@127.0.0.1/app"))
    name = f"template-suite-{secrets.token_hex(4)}"
    # A network of its own: the image's PORT (8000) is free in it. /health needs no database.
    with podman.container(name, image.tag, "--network=none", *NO_TIMER, *env_options(env)):
        deadline = time.monotonic() + 30
        checked = podman.run("healthcheck", "run", name)
        while checked.returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.5)
            checked = podman.run("healthcheck", "run", name)

        assert checked.returncode == 0, explain(checked) + podman.logs(name)


@parametrize_combinations(IMAGES)
def test_final_image_holds_no_uv_and_no_compiler(image: Image, podman: Podman) -> None:
    programs = ["uv", "uvx", "gcc", "cc", "c++", "clang", "make"]
    found = podman.run(
        "run", "--rm", "--network=none", "--health-cmd=none", image.tag,
        "python", "-c", f"import shutil; print([shutil.which(p) for p in {programs!r}])",
    )  # fmt: skip

    assert found.returncode == 0, explain(found)
    assert found.stdout.strip() == str([None] * len(programs))


@parametrize_combinations([c for c in IMAGES if (c.database, c.auth) != ("sqlite", "none")])
def test_image_refuses_to_start_without_its_secret_naming_it(image: Image, podman: Podman) -> None:
    required = REQUIRED[image.baked.combination.auth]
    env = settings_for(image, with_password(f"{image.baked.combination.url_scheme}://app@127.0.0.1/app"))
    env = {name: value for name, value in env.items() if name not in required}

    status, output = podman.outcome(image.tag, "--network=none", *NO_TIMER, *env_options(env))

    lines = output.strip().splitlines()
    assert status != 0
    assert len(lines) == 1, lines
    assert all(setting in lines[0] for setting in required), lines[0]
