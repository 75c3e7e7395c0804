"""What a baked project deploys with, checked as far as can be without Docker or a cluster.

The Dockerfile is linted with hadolint and read for its layer order; compose.yaml, the
workflow and dependabot.yml are validated against their published schemas (vendored by
check-jsonschema, so offline) and linted with actionlint; the Kubernetes manifests against
the Kubernetes schemas (kubernetes-validate). The live tests prove the same topology with
local processes.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from harness.combinations import COMBINATIONS
from harness.combinations import parametrize_combinations
from harness.projects import TEMPLATE
from harness.projects import Baked
from harness.projects import explain

WITH_DOCKER = [c for c in COMBINATIONS if c.include_docker]
WITH_ACTIONS = [c for c in COMBINATIONS if c.include_github_actions]
WITH_KUBERNETES = [c for c in COMBINATIONS if c.include_kubernetes]
BIN = Path(sys.executable).parent


def tool(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run one of the suite's linters (installed beside its Python); never raises on failure."""
    command = [str(BIN / str(args[0])), *(str(arg) for arg in args[1:])]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


@parametrize_combinations(WITH_DOCKER)
def test_dockerfile_passes_hadolint_at_warning_level(baked: Baked) -> None:
    result = tool("hadolint", "--no-color", "--failure-threshold", "warning", "Dockerfile", cwd=baked.path)

    assert result.returncode == 0, explain(result)


def stages(dockerfile: str) -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), stage by stage."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    instructions = [line.strip() for line in joined.splitlines() if line.strip() and not line.startswith("#")]
    split: list[list[str]] = []
    for instruction in instructions:
        if instruction.startswith("FROM "):
            split.append([])
        split[-1].append(instruction)
    return split


@parametrize_combinations(WITH_DOCKER)
def test_image_caches_dependencies_apart_from_code_and_ships_no_build_tools(baked: Baked) -> None:
    dockerfile = (baked.path / "Dockerfile").read_text()
    build, runtime = stages(dockerfile)
    version = baked.combination.python_version

    # No `# syntax=` line: it makes the build pull a frontend image; the built-in one has the mounts.
    assert not dockerfile.startswith("# syntax=")
    assert build[0] == f"FROM python:{version}-slim AS build"
    assert runtime[0] == f"FROM python:{version}-slim"
    # The dependencies from pyproject.toml and uv.lock alone, with uv's cache, before any code.
    dependencies = next(i for i, line in enumerate(build) if "--no-install-project" in line)
    copies = [line for line in build[:dependencies] if line.startswith("COPY ") and "--from" not in line]
    assert "uv sync --locked --no-dev --no-install-project" in build[dependencies]
    assert "--mount=type=cache,target=/root/.cache/uv" in build[dependencies]
    assert copies == ["COPY pyproject.toml uv.lock* ./"], "code is copied before the dependencies' layer"
    assert "uv.lock is missing: run make install (uv lock) and commit it" in build[dependencies]
    # Every mount's target is absolute: buildah and podman refuse a relative one.
    targets = re.findall(r"--mount=\S*target=([^,\s]+)", " ".join(build))
    assert targets
    assert all(target.startswith("/") for target in targets), targets
    assert build[-2] == "COPY src ./src"
    assert build[-1].endswith("uv sync --locked --no-dev --no-editable")
    # The final stage: the virtual environment only, no uv, no compiler, an unprivileged user.
    assert not [line for line in runtime if re.search(r"\buv\b|gcc|build-essential|apt-get", line)]
    assert "COPY --from=build /opt/venv /opt/venv" in runtime
    assert "USER 10001:10001" in runtime
    assert runtime[-1] == f'CMD ["python", "-m", "{baked.package}", "serve"]'
    assert "ENV PATH=/opt/venv/bin:$PATH" in " ".join(runtime)
    assert ".env" in (baked.path / ".dockerignore").read_text().split()


@parametrize_combinations(WITH_DOCKER)
def test_compose_file_is_valid_and_migrates_once_before_the_replicas(baked: Baked) -> None:
    valid = tool(
        "check-jsonschema", "--builtin-schema", "vendor.compose-spec", "compose.yaml", cwd=baked.path
    )
    assert valid.returncode == 0, explain(valid)
    services = load(baked.path / "compose.yaml")["services"]
    migrate, app, proxy = services["migrate"], services["app"], services["proxy"]

    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["restart"] == "no"
    assert app["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert "command" not in app  # the image's: serve
    assert "ports" not in app, "only the proxy is published"
    assert proxy["ports"] == ["127.0.0.1:8000:8000"]
    # The app trusts the proxy's address alone with the client's.
    assert app["environment"]["FORWARDED_ALLOW_IPS"] == proxy["networks"]["default"]["ipv4_address"]
    assert app["environment"]["WEB_CONCURRENCY"].startswith("${WEB_CONCURRENCY")
    # Production names the hosts it answers: unless .env says otherwise, those it is published at.
    hosts = re.fullmatch(r"\$\{TRUSTED_HOSTS:-(.+)\}", app["environment"]["TRUSTED_HOSTS"])
    assert hosts is not None
    assert proxy["ports"][0].split(":")[0] in json.loads(hosts[1])
    nginx = (baked.path / "deploy/nginx.conf").read_text()
    assert "location = /metrics" in nginx
    database = baked.combination.database
    if database == "sqlite":
        assert set(services) == {"migrate", "app", "proxy"}
        assert "deploy" not in app, "SQLite is one machine's database: one replica"
        return
    assert app["deploy"]["replicas"] == "${APP_REPLICAS:-2}"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    # The migrations go straight to the database, with the password from .env, never a default.
    assert "@db:" in migrate["environment"]["DATABASE_URL"]
    assert ":?set it in .env}@" in migrate["environment"]["DATABASE_URL"]
    if database == "postgresql":
        assert set(services) == {"db", "migrate", "pgbouncer", "app", "proxy"}
        assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
        assert "@pgbouncer:" in app["environment"]["DATABASE_URL"]
        assert app["environment"]["DB_EXTERNAL_POOLER"] == "pgbouncer"
    else:
        assert set(services) == {"db", "migrate", "app", "proxy"}


@parametrize_combinations(WITH_ACTIONS)
def test_workflow_is_valid_installs_with_uv_from_the_lock_and_runs_the_make_targets(baked: Baked) -> None:
    workflow = baked.path / ".github/workflows/ci.yml"
    for check in (
        tool("actionlint", "-no-color", workflow, cwd=baked.path),
        tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow, cwd=baked.path),
    ):
        assert check.returncode == 0, explain(check)
    content = load(workflow)
    job = content["jobs"]["check"]
    commands = [step.get("run", "") for step in job["steps"]]
    setup = next(step for step in job["steps"] if step.get("uses", "").startswith("astral-sh/setup-uv"))

    assert content["env"]["UV_LOCKED"] == "1"
    assert setup["with"] == {"python-version": baked.combination.python_version, "enable-cache": True}
    assert commands[-4:] == ["make install", "make lint", "make test", "make migrate check-migrations"]
    if baked.combination.database == "sqlite":
        assert "services" not in job
    else:
        [service] = job["services"].values()
        assert job["env"]["TEST_DATABASE_URL"].startswith(f"{baked.combination.url_scheme}://")
        assert "PASSWORD" not in str(service["env"]) or "ALLOW_EMPTY" in str(service["env"])


@parametrize_combinations(WITH_ACTIONS)
def test_dependabot_is_valid_and_groups_its_updates(baked: Baked) -> None:
    config = baked.path / ".github/dependabot.yml"
    valid = tool("check-jsonschema", "--builtin-schema", "vendor.dependabot", config, cwd=baked.path)
    assert valid.returncode == 0, explain(valid)
    updates = load(config)["updates"]

    ecosystems = {update["package-ecosystem"] for update in updates}
    expected = {"uv", "github-actions"} | (
        {"docker", "docker-compose"} if baked.combination.include_docker else set()
    )
    assert ecosystems == expected
    assert all(update["groups"] for update in updates), "every ecosystem's updates come grouped"


def test_the_templates_own_workflow_passes_actionlint() -> None:
    result = tool("actionlint", "-no-color", ".github/workflows/ci.yml", cwd=TEMPLATE)

    assert result.returncode == 0, explain(result)


@parametrize_combinations(WITH_KUBERNETES)
def test_kubernetes_manifests_are_valid_and_run_the_service_safely(baked: Baked) -> None:
    manifests = baked.path / "deploy/kubernetes"
    kustomization = load(manifests / "kustomization.yaml")
    resources = [manifests / name for name in kustomization["resources"]]
    assert sorted(path.name for path in resources) == sorted(
        path.name for path in manifests.glob("*.yaml") if path.name != "kustomization.yaml"
    )
    valid = tool("kubernetes-validate", "--strict", *resources, cwd=baked.path)
    assert valid.returncode == 0, explain(valid)
    by_kind = {document["kind"]: document for document in (load(path) for path in resources)}
    assert set(by_kind) == {"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Job"}

    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    [api] = pod["containers"]
    assert api["readinessProbe"]["httpGet"]["path"] == "/health/db"
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert api["securityContext"]["readOnlyRootFilesystem"] is True
    assert {"requests", "limits"} <= set(api["resources"])
    # Longer than the drain: the pre-stop pause, then the requests in flight (5 s pool timeout).
    assert pod["terminationGracePeriodSeconds"] > api["lifecycle"]["preStop"]["sleep"]["seconds"] + 10
    assert api["envFrom"] == [{"secretRef": {"name": baked.answers["project_slug"]}}]
    # The probes name the pod's address: it is a trusted host (defined first, to be expanded).
    env = {variable["name"]: variable for variable in api["env"]}
    assert env["POD_IP"]["valueFrom"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert list(env).index("POD_IP") < list(env).index("TRUSTED_HOSTS")
    assert json.loads(env["TRUSTED_HOSTS"]["value"]) == [baked.answers["project_slug"], "$(POD_IP)"]
    job = by_kind["Job"]["spec"]["template"]["spec"]
    [migrate] = job["containers"]
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert migrate["envFrom"] == [{"secretRef": {"name": f"{baked.answers['project_slug']}-migrate"}}]
    assert by_kind["PodDisruptionBudget"]["spec"]["minAvailable"] == 1
    # Credentials come from the Secrets alone, never a value in a manifest.
    secrets = {"DATABASE_URL", "MIGRATION_DATABASE_URL", "SECRET_KEY"}
    assert not {variable["name"] for variable in api.get("env", [])} & secrets


def image_settings(runtime: list[str]) -> dict[str, str]:
    """The final stage's ENV, as NAME=value pairs (the Dockerfile writes them unquoted)."""
    pairs = [pair for line in runtime if line.startswith("ENV ") for pair in line.split()[1:]]
    return dict(pair.split("=", 1) for pair in pairs)


@parametrize_combinations(WITH_KUBERNETES)
def test_kubernetes_and_the_healthcheck_run_the_image_on_its_port_with_its_commands(baked: Baked) -> None:
    _, runtime = stages((baked.path / "Dockerfile").read_text())
    port = image_settings(runtime)["PORT"]
    user = next(line.split()[1] for line in runtime if line.startswith("USER "))
    healthcheck = next(line for line in runtime if line.startswith("HEALTHCHECK "))
    manifests = baked.path / "deploy/kubernetes"
    pod = load(manifests / "deployment.yaml")["spec"]["template"]["spec"]
    job = load(manifests / "migrate-job.yaml")["spec"]["template"]["spec"]
    [api], [migrate] = pod["containers"], job["containers"]
    readme_migration = next(
        line for line in (baked.path / "README.md").read_text().splitlines() if line.startswith("docker run")
    )

    # The image's port: EXPOSE, PORT, the container's named port, the probes and the Service.
    assert [line for line in runtime if line.startswith("EXPOSE ")] == [f"EXPOSE {port}"]
    assert api["ports"] == [{"name": "http", "containerPort": int(port)}]
    assert "PORT" not in {variable["name"] for variable in api.get("env", [])}, "PORT would move the port"
    assert api["readinessProbe"]["httpGet"]["port"] == api["livenessProbe"]["httpGet"]["port"] == "http"
    assert load(manifests / "service.yaml")["spec"]["ports"][0]["targetPort"] == "http"
    # The HEALTHCHECK asks what the liveness probe asks, on whatever PORT the service was given.
    assert "'http://127.0.0.1:' + os.environ['PORT'] + '/health'" in healthcheck
    assert api["livenessProbe"]["httpGet"]["path"] == "/health"
    # The commands: the pods serve with the image's CMD; the Job migrates as the README does.
    assert "command" not in api
    assert "args" not in api
    assert migrate["command"] == ["alembic", "upgrade", "head"]
    assert readme_migration.endswith(" " + " ".join(migrate["command"]))
    assert "workingDir" not in migrate, "alembic.ini is in the image's WORKDIR"
    assert f"{pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}" == user
    assert job["securityContext"] == pod["securityContext"]
    assert migrate["image"] == api["image"] == baked.answers["project_slug"]
