"""The baked compose files started as a user starts them: `docker-compose up -d` in the project.

Docker Engine and docker-compose from Debian 12 (harness/compose.py says why), the app's image
built by Podman from the rendered Dockerfile (as tests/test_containers.py builds it), and
stand-ins of the database, PgBouncer and nginx images made from Debian's packages. One stack
per database, the auths in turn; the stacks run one after another (they publish the same ports
and name the same subnet), on one worker.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from harness.combinations import Combination
from harness.compose import Answer
from harness.compose import Docker
from harness.compose import Stack
from harness.compose import app_image_named
from harness.compose import docker_engine
from harness.compose import provide_stand_ins
from harness.compose import published_port
from harness.compose import stand_ins_named
from harness.containers import ContainersUnavailable
from harness.containers import Podman
from harness.projects import explain
from harness.servers import unavailable
from tests.conftest import Bakery
from tests.test_containers import IMAGES
from tests.test_containers import Images

pytestmark = pytest.mark.xdist_group("compose")

# One stack per database, each auth once: PostgreSQL's has PgBouncer, and password its sign-up.
STACKS = [
    c
    for c in IMAGES
    if (c.database, c.auth) in {("sqlite", "none"), ("postgresql", "password"), ("mysql", "oidc")}
]
REPLICATED = [c for c in STACKS if c.database != "sqlite"]
PASSWORD = [c for c in STACKS if c.auth == "password"]
# What a user puts in .env for OIDC before `up` (the compose file names the settings it needs).
OIDC_SETTINGS = {"OIDC_ISSUER": "https://issuer.example.com", "OIDC_AUDIENCE": "template-suite"}
# One worker process per replica (the compose file's default is 2): on a machine as busy as the
# suite's, uvicorn's supervisor kills a worker that has not answered its ping within 5 s of
# starting, again and again. The replicas are what nginx spreads the requests over.
WORKERS = {"WEB_CONCURRENCY": "1"}


@pytest.fixture(scope="session")
def engine() -> Iterator[Docker]:
    try:
        with docker_engine() as engine:
            yield engine
    except ContainersUnavailable as error:
        unavailable(str(error))


@pytest.fixture(scope="session")
def compose_images(bakery: Bakery, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Images]:
    """The app's images, built by Podman (as tests/test_containers.py builds them)."""
    try:
        podman = Podman.create(tmp_path_factory.mktemp("podman"))
    except ContainersUnavailable as error:
        unavailable(str(error))
    images = Images(podman, bakery, tmp_path_factory.mktemp("images"))
    yield images
    images.remove()


@dataclass(frozen=True)
class Started:
    """A stack right after `docker-compose up -d` returned, and the proxy's first answer then."""

    stack: Stack
    combination: Combination
    # The app's image, as Podman tagged it.
    tag: str
    first: Answer


class Stacks:
    """Runs one stack at a time (they publish the same ports), each started once unless taken down."""

    def __init__(self, engine: Docker, images: Images) -> None:
        self._engine = engine
        self._images = images
        self.current: Started | None = None

    def start(self, combination: Combination) -> Started:
        """The combination's compose file up, as the README says, unless it is already."""
        if self.current is not None and self.current.combination == combination:
            return self.current
        self.retire()
        image = self._images.image(combination)
        assert image.build.returncode == 0, explain(image.build)
        project = image.baked.path
        compose_file = project / "compose.yaml"
        provide_stand_ins(self._engine, self._images.podman, stand_ins_named(compose_file))
        self._engine.load(self._images.podman, image.tag)
        self._engine.must("tag", f"localhost/{image.tag}", app_image_named(compose_file))
        set_in_env_file(project / ".env", WORKERS | (OIDC_SETTINGS if combination.auth == "oidc" else {}))
        stack = Stack(self._engine, project, published_port(compose_file, "proxy"))
        self.current = Started(stack, combination, image.tag, first=Answer(None, {}, ""))
        up = stack.compose("up", "--detach", "--no-build")
        assert up.returncode == 0, explain(up)
        self.current = Started(stack, combination, image.tag, first=stack.request("GET", "/health"))
        return self.current

    def retire(self) -> None:
        """`down -v` the current stack, and remove its app's image."""
        if self.current is not None:
            stack = self.current.stack
            stack.compose("down", "--volumes", "--timeout", "5")
            stack.engine.run(
                "rmi", app_image_named(stack.directory / "compose.yaml"), f"localhost/{self.current.tag}"
            )
            self.current = None


@pytest.fixture(scope="session")
def stacks(engine: Docker, compose_images: Images) -> Iterator[Stacks]:
    stacks = Stacks(engine, compose_images)
    yield stacks
    stacks.retire()


@pytest.fixture(scope="module")
def combination(request: pytest.FixtureRequest) -> Combination:
    """The test's combination; module-scoped, so that pytest runs each one's tests together."""
    answers: Combination = request.param
    return answers


@pytest.fixture
def started(combination: Combination, stacks: Stacks) -> Started:
    """The combination's stack, up."""
    return stacks.start(combination)


def set_in_env_file(env_file: Path, settings: dict[str, str]) -> None:
    """Give settings values in .env, as a user does (replacing their empty lines)."""
    lines = [line for line in env_file.read_text().splitlines() if line.split("=", 1)[0] not in settings]
    env_file.write_text("\n".join([*lines, *(f"{name}={value}" for name, value in settings.items())]) + "\n")


def parametrize_stacks(combinations: list[Combination]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize(
        "combination", combinations, ids=[c.id for c in combinations], indirect=True
    )


@parametrize_stacks(STACKS)
def test_migrate_runs_once_and_exits_0_before_the_app_starts(started: Started) -> None:
    [migrate] = started.stack.containers("migrate")
    apps = started.stack.containers("app")

    assert (migrate["State"]["Status"], migrate["State"]["ExitCode"]) == ("exited", 0), migrate["State"]
    assert migrate["RestartCount"] == 0
    assert apps
    for app in apps:
        assert app["State"]["StartedAt"] > migrate["State"]["FinishedAt"], (app["Name"], migrate["State"])


@parametrize_stacks(STACKS)
def test_every_replica_answers_through_nginx_as_soon_as_up_returns(started: Started) -> None:
    stack = started.stack
    apps = stack.containers("app")
    expected = 1 if started.combination.database == "sqlite" else 2

    answers = stack.answers(stack.client({"requests": [{"method": "GET", "path": "/health"}] * 20}))
    health_db = stack.request("GET", "/health/db")

    assert started.first.status == 200, started.first
    assert [a.status for a in answers] == [200] * 20, answers
    assert health_db.status == 200, health_db
    # Each answer's request id is in the log of the replica that served it.
    ids = {a.headers["x-request-id"] for a in answers}
    served = {
        app["Name"]: ids & set(re.findall(r'"request_id": "(\w+)"', stack.logs(app["Id"]))) for app in apps
    }
    assert len(served) == expected
    assert all(served.values()), served


@parametrize_stacks(PASSWORD)
def test_sign_up_login_and_create_through_nginx(started: Started) -> None:
    stack = started.stack
    email, password = f"{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16)
    json_body = {"content-type": "application/json"}

    new_user = json.dumps({"email": email, "full_name": "Ada", "password": password})
    signed_up = stack.request("POST", "/api/v1/users", new_user, **json_body)
    login = stack.request(
        "POST", "/api/v1/auth/token", urlencode({"username": email, "password": password}),
        **{"content-type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert (signed_up.status, login.status) == (201, 200), (signed_up, login)
    token = login.json()["access_token"]
    created = stack.request(
        "POST", "/api/v1/items", '{"title": "Through nginx"}', authorization=f"Bearer {token}", **json_body
    )

    assert created.status == 201, created
    assert created.json()["owner_id"] == signed_up.json()["id"]


@parametrize_stacks(REPLICATED)
def test_stopping_one_replica_loses_no_request_nginx_can_retry(started: Started) -> None:
    stack = started.stack
    replica, _ = stack.containers("app")
    # Past nginx's fail_timeout (5 s): it tries the stopped replica's address again.
    client = stack.client({"repeat": {"method": "GET", "path": "/health/db"}, "seconds": 12})
    time.sleep(2)
    stopped = stack.engine.run("stop", replica["Id"])
    answers = stack.answers(client)
    [proxy] = stack.containers("proxy")
    proxy_log = stack.logs(proxy["Id"])
    # The stack whole again, for the tests after this one.
    stack.engine.must("start", replica["Id"])

    assert stopped.returncode == 0, explain(stopped)
    # The requests met the stopped replica: nginx logged its failures to reach it.
    [address] = [network["IPAddress"] for network in replica["NetworkSettings"]["Networks"].values()]
    assert f'upstream: "http://{address}:8000' in proxy_log
    lost = [a for a in answers if a.status != 200]
    assert not lost, f"{len(lost)} of {len(answers)}: {lost[:3]}"


@parametrize_stacks(STACKS)
def test_down_v_leaves_nothing_of_the_project(started: Started, stacks: Stacks) -> None:
    # The suite's daemon runs this project alone: whatever it holds is the project's.
    engine = started.stack.engine
    held = {
        "containers": ["ps", "--all", "--quiet"],
        "volumes": ["volume", "ls", "--quiet"],
        "networks": ["network", "ls", "--quiet", "--filter", "type=custom"],
    }

    def holding() -> dict[str, list[str]]:
        return {kind: engine.must(*command).split() for kind, command in held.items()}

    before = holding()

    down = started.stack.compose("down", "--volumes", "--timeout", "5")
    stacks.retire()

    assert down.returncode == 0, explain(down)
    assert all(before.values()), before
    assert holding() == {kind: [] for kind in held}
