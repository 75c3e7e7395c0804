"""A GitHub Actions job run on this machine as GitHub would run it, step by step.

The job runs in a fresh clone (what `actions/checkout` gives), with the workflow's, the job's
and each step's `env`, each `run:` step in `bash -e` (GitHub's default shell), and a PATH that
holds no uv until `setup-uv` puts one there. Its service containers are stood in for by the
suite's real servers of that kind, configured from the service's `env` as the official image
would be. The runner is root here: `sudo` just runs its command. Programs of the packages the
runner is to lack are hidden from every step, until a step installs their package with apt-get.
An action the runner does not know fails the job, as do expressions it cannot evaluate.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import ExitStack
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import yaml
from psycopg import sql

from harness.projects import TEMPLATE
from harness.servers import DatabaseServer
from harness.servers import MariaDBServer
from harness.servers import PostgresServer

# What CI installs on a fresh machine: the one list that .ci/install-deps reads.
PACKAGES_FILE = TEMPLATE / ".ci" / "packages"
# A GitHub runner's own variables, and the tools' and the suite's that must not leak into the job.
LEAKS = re.compile(r"^(PYTEST_|UV_|GITHUB_|RUNNER_|MAKE|MFLAGS|VIRTUAL_ENV|PYTHON|TEST_|COMBINATIONS|CI$)")
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
STEP_TIMEOUT = 1200
# What this runner does with a job and its steps; anything else fails the job.
JOB_KEYS = {"name", "runs-on", "timeout-minutes", "strategy", "services", "env", "steps"}
STEP_KEYS = {"name", "uses", "with", "run", "env"}

# apt-get as it is, noting the packages it installed in $APT_INSTALLED (Runner._hidden reads
# it); one at a time, as the jobs the suite runs at once share this machine's apt.
APT_GET_SHIM = """#!/bin/sh
flock /tmp/template-suite-apt.lock /usr/bin/apt-get "$@" || exit
after=
for word in "$@"; do
    case "$word" in
        install) after=1 ;;
        -*) ;;
        *) if [ -n "$after" ]; then echo "$word" >>"$APT_INSTALLED"; fi ;;
    esac
done
"""

# The runner is root here: sudo just runs its command.
SUDO_SHIM = '#!/bin/sh\ncase "$1" in -*) echo "sudo: option $1 not emulated" >&2; exit 1;; esac\nexec "$@"\n'


class WorkflowError(Exception):
    """The job uses something this runner cannot do as GitHub would (the message says what)."""


@dataclass(frozen=True)
class StepResult:
    """What one step did."""

    name: str
    returncode: int
    output: str
    seconds: float


@dataclass
class JobRun:
    """The steps a job ran, in order; the last one failed if the job failed."""

    steps: list[StepResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every step exited 0."""
        return all(step.returncode == 0 for step in self.steps)

    def report(self) -> str:
        """Each step with its exit status and time; the failed step's output in full."""
        lines = [f"{step.name}: exit {step.returncode} in {step.seconds:.1f} s" for step in self.steps]
        failed = [step for step in self.steps if step.returncode != 0]
        if failed:
            lines.append(f"--- {failed[0].name}:\n{failed[0].output[-8000:]}")
        return "\n".join(lines)


def listed_packages() -> dict[str, str]:
    """The packages .ci/packages lists, each with the program that shows it is installed."""
    packages = {}
    for line in PACKAGES_FILE.read_text().splitlines():
        words = line.split("#")[0].split()
        if words:
            package, program = words
            packages[package] = program
    return packages


def program_path(program: str) -> Path | None:
    """Where a program of the list is on this machine (a name on PATH or in sbin, or a glob)."""
    if "/" in program:
        found = [path for path in Path("/").glob(program.lstrip("/")) if os.access(path, os.X_OK)]
        return max(found) if found else None
    located = shutil.which(program, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    return Path(located) if located else None


@dataclass
class Runner:
    """This machine dressed as a fresh GitHub runner, for the jobs of one test.

    `python_for` names the interpreter that stands for a Python version the workflow asks
    for (this machine has 3.11 to 3.13); `lacking` are packages of .ci/packages the runner
    starts without (their programs hidden until a step installs them).
    """

    workspace: Path
    scratch: Path
    uv: Path
    uv_cache: Path
    python_for: Callable[[str], str]
    lacking: set[str] = field(default_factory=set)

    def run_job(self, workflow: Path, job_id: str, *, matrix: dict[str, str] | None = None,
                narrowed: dict[str, dict[str, str]] | None = None) -> JobRun:  # fmt: skip
        """Run the job's steps in order until one fails.

        `narrowed` adds env to the named steps: how the suite keeps a step that would run
        this very suite from running all of it again.
        """
        document = yaml.safe_load(workflow.read_text())
        job = document["jobs"][job_id]
        unknown = set(job) - JOB_KEYS | {key for step in job["steps"] for key in step} - STEP_KEYS
        if unknown:
            raise WorkflowError(f"this runner does not emulate {sorted(unknown)}")
        if set(narrowed or {}) - {step.get("name") for step in job["steps"]}:
            raise WorkflowError(f"no step of {job_id} is named {sorted(narrowed or {})}")
        contexts: dict[str, dict[str, str]] = {"matrix": matrix or {}, "env": {}}
        env = expand_all(document.get("env", {}), contexts)
        contexts["env"] = env
        env.update(expand_all(job.get("env", {}), contexts))
        with ExitStack() as stack:
            movers = [stack.enter_context(stand_in(name, service, contexts)) for name, service in
                      job.get("services", {}).items()]  # fmt: skip

            def moved(text: str) -> str:
                for mover in movers:
                    text = mover(text)
                return text

            env = {key: moved(value) for key, value in env.items()}
            return self._run_steps(job["steps"], env, contexts, narrowed or {}, moved)

    def _run_steps(
        self,
        steps: list[dict[str, Any]],
        env: dict[str, str],
        contexts: dict[str, dict[str, str]],
        narrowed: dict[str, dict[str, str]],
        moved: Callable[[str], str],
    ) -> JobRun:
        tools = self.scratch / "tools"
        shims = self.scratch / "shims"
        for directory in (tools, shims):
            directory.mkdir(parents=True, exist_ok=True)
        write_shims(shims)
        github_env, installed = self.scratch / "github_env", self.scratch / "installed"
        github_env.touch()
        installed.touch()
        job_env = {
            **machine_env(),
            "PATH": os.pathsep.join([str(shims), str(tools), *path_without_uv()]),
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_ENV": str(github_env),
            "RUNNER_OS": "Linux",
            "RUNNER_TEMP": str(self.scratch),
            "APT_INSTALLED": str(installed),
            **env,
        }
        done = JobRun()
        for number, step in enumerate(steps, 1):
            name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
            started = time.monotonic()
            contexts["env"] = job_env
            step_env = {**job_env, **expand_all(step.get("env", {}), contexts), **narrowed.get(name, {})}
            if "uses" in step:
                job_env.update(self._use(step["uses"], expand_all(step.get("with", {}), contexts), tools))
                result = StepResult(name, 0, "", time.monotonic() - started)
            else:
                script = self.scratch / f"step{number}.sh"
                script.write_text(moved(expand(step["run"], contexts)))
                command = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
                hidden = self._hidden(installed)
                completed = subprocess.run(
                    hiding(hidden, command), cwd=self.workspace, env=step_env, capture_output=True,
                    text=True, timeout=STEP_TIMEOUT, check=False,
                )  # fmt: skip
                output = completed.stdout + completed.stderr
                result = StepResult(name, completed.returncode, output, time.monotonic() - started)
            done.steps.append(result)
            if result.returncode != 0:
                break
            job_env.update(read_github_env(github_env))
        return done

    def _use(self, action: str, inputs: dict[str, str], tools: Path) -> dict[str, str]:
        """Do what a known action does; return the env it sets for the later steps."""
        name = action.split("@")[0]
        if name == "actions/checkout":
            # The workspace is a fresh clone already: only what git keeps.
            if not (self.workspace / ".git").exists():
                raise WorkflowError(f"{self.workspace} is not a clone")
            return {}
        if name == "actions/setup-python":
            python = self.python_for(inputs["python-version"])
            for alias in ("python", "python3"):
                link(tools / alias, python)
            return {}
        if name == "astral-sh/setup-uv":
            link(tools / "uv", str(self.uv))
            env = {"UV_CACHE_DIR": str(self.uv_cache)}
            if "python-version" in inputs:
                env["UV_PYTHON"] = self.python_for(inputs["python-version"])
            return env
        raise WorkflowError(f"this runner does not know the action {action}")

    def _hidden(self, installed: Path) -> list[Path]:
        """The programs of the packages the runner lacks and no step has installed yet."""
        done = set(installed.read_text().split())
        programs = listed_packages()
        paths = [program_path(programs[package]) for package in sorted(self.lacking - done)]
        return [path for path in paths if path is not None]


def machine_env() -> dict[str, str]:
    """This machine's own settings (certificates, package indexes), without the suite's or tools'."""
    return {key: value for key, value in os.environ.items() if not LEAKS.match(key) and key != "PATH"}


def path_without_uv() -> list[str]:
    """The directories of PATH, less any that holds a uv (as on a runner before setup-uv)."""
    return [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "uv").exists()
    ]


def write_shims(directory: Path) -> None:
    """As root, sudo runs its command (else it is the machine's own); apt-get notes what it installs."""
    apt_get = directory / "apt-get"
    apt_get.write_text(APT_GET_SHIM)
    apt_get.chmod(0o755)
    if os.geteuid() == 0:
        sudo = directory / "sudo"
        sudo.write_text(SUDO_SHIM)
        sudo.chmod(0o755)


def hiding(paths: list[Path], command: list[str]) -> list[str]:
    """Run the command in a mount namespace of its own where these programs are not executable."""
    if not paths:
        return command
    if os.geteuid() != 0:
        raise WorkflowError("hiding programs takes a mount namespace of its own, which takes root")
    empty = Path("/dev/null")
    mounts = "; ".join(f"mount --bind {empty} {shlex.quote(str(path))}" for path in paths)
    return [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "sh",
        "-ec",
        f'{mounts}; exec "$@"',
        "sh",
        *command,
    ]


def link(path: Path, target: str) -> None:
    path.unlink(missing_ok=True)
    path.symlink_to(target)


def read_github_env(path: Path) -> dict[str, str]:
    """The NAME=value lines steps wrote to $GITHUB_ENV so far."""
    env = {}
    for line in path.read_text().splitlines():
        if "<<" in line.partition("=")[0]:
            raise WorkflowError(f"multi-line $GITHUB_ENV values are not emulated: {line}")
        if line:
            name, _, value = line.partition("=")
            env[name] = value
    return env


def expand(text: str, contexts: dict[str, dict[str, str]]) -> str:
    """Replace each ${{ context.name }} with its value; any other expression is an error."""

    def value(match: re.Match[str]) -> str:
        context, _, name = match.group(1).partition(".")
        if context not in contexts or name not in contexts[context]:
            raise WorkflowError(f"cannot evaluate ${{{{ {match.group(1)} }}}}")
        return contexts[context][name]

    return EXPRESSION.sub(value, text)


def expand_all(values: dict[str, Any], contexts: dict[str, dict[str, str]]) -> dict[str, str]:
    return {key: expand(str(value), contexts) for key, value in values.items()}


@contextmanager
def stand_in(
    name: str, service: dict[str, Any], contexts: dict[str, dict[str, str]]
) -> Iterator[Callable[[str], str]]:
    """Start the suite's real server for a service container, configured as its image would be.

    Yields a function that moves the service's published port, in a URL of the job's env or a
    client's options in a step, to the port the stand-in listens on: a free one, since a fixed
    5432 or 3306 would clash with the other jobs running at once (and with servers this
    machine may run).
    """
    image = service["image"].split(":")[0]
    env = expand_all(service.get("env", {}), contexts)
    [published] = [str(port).split(":")[0] for port in service.get("ports", [])]
    server: DatabaseServer
    if image == "postgres":
        server = postgres_like_the_image(env)
    elif image == "mariadb":
        server = mariadb_like_the_image(env)
    else:
        raise WorkflowError(f"no stand-in for the service {name} ({service['image']})")
    # In a URL (@127.0.0.1:3306) or a client's options (--host=127.0.0.1 --port=3306).
    port = re.compile(rf"((?:@|--host=)(?:localhost|127\.0\.0\.1)(?::| --port=)){published}\b")
    try:
        yield lambda value: port.sub(rf"\g<1>{server.port}", value)
    finally:
        server.destroy()


def postgres_like_the_image(env: dict[str, str]) -> PostgresServer:
    """PostgreSQL as the postgres image sets it up: user postgres, its password, POSTGRES_DB."""
    server = PostgresServer.start_new()
    database = env.get("POSTGRES_DB", env.get("POSTGRES_USER", "postgres"))
    if env.get("POSTGRES_USER", "postgres") != "postgres":
        raise WorkflowError("the stand-in knows the postgres user only")
    # The suite's clusters trust loopback connections: POSTGRES_HOST_AUTH_METHOD=trust as
    # the generated workflow asks; a password the workflow gives is set, and not needed.
    if database != "postgres":
        server.create_database(database)
    if env.get("POSTGRES_PASSWORD"):
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(
                sql.SQL("ALTER USER postgres PASSWORD {}").format(sql.Literal(env["POSTGRES_PASSWORD"]))
            )
    return server


def mariadb_like_the_image(env: dict[str, str]) -> MariaDBServer:
    """MariaDB as the mariadb image sets it up: root from anywhere, its password or none, the database."""
    password = env.get("MARIADB_ROOT_PASSWORD", "")
    if not password and env.get("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD") not in {"1", "yes", "true"}:
        raise WorkflowError(
            "the mariadb image needs MARIADB_ROOT_PASSWORD or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
        )
    server = MariaDBServer.start_new()
    with (
        pymysql.connect(unix_socket=str(server.socket), user="root", autocommit=True) as conn,
        conn.cursor() as cursor,
    ):
        # The image's root has this password, from anywhere and on localhost (which 127.0.0.1
        # resolves to); mariadb-install-db made others (127.0.0.1, ::1) that would win over '%'.
        cursor.execute("SELECT host FROM mysql.user WHERE user = 'root' AND host <> 'localhost'")
        for (host,) in cursor.fetchall():
            cursor.execute("DROP USER 'root'@%s", (host,))
        cursor.execute("ALTER USER 'root'@'localhost' IDENTIFIED BY %s", (password,))
        cursor.execute("CREATE USER IF NOT EXISTS 'root'@'%%' IDENTIFIED BY %s", (password,))
        cursor.execute("GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION")
        if env.get("MARIADB_DATABASE"):
            cursor.execute(f"CREATE DATABASE `{env['MARIADB_DATABASE']}`")
    return server
