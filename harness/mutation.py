"""Mutation testing of a baked project: would its own suite notice a bug in its modules?

    python -m harness.mutation sqlite-sync-password tokens crud accounts

bakes the combination into build/mutation/, gives it its real database (a throwaway
PostgreSQL or MariaDB server for those), runs mutmut on the named modules with the project's
own tests, and prints each module's score and the mutants that survived. A survivor listed
in harness/equivalent_mutants.txt changes no behaviour and is left out of the score; any
other is news: a bug the suite would miss.

With --again, it re-runs only the survivors of the last run there, with the template's tests
as they are now: new tests are scored in minutes, not in the hour of a full run.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness import mutation_databases
from harness.combinations import Combination
from harness.projects import Baked
from harness.projects import bake
from harness.projects import explain
from harness.servers import MariaDBServer
from harness.servers import PostgresServer

TEMPLATE = Path(__file__).resolve().parents[1]
EQUIVALENT = Path(__file__).with_name("equivalent_mutants.txt")
# Where a module named on the command line may be, under the package.
PLACES = ("{}.py", "api/{}.py", "api/routes/{}.py")
# What mutmut reports of a mutant that the suite caught.
KILLED = {"killed", "timeout", "segfault", "caught by type check"}
# A line of `mutmut results`: "    my_service.tokens.x_read__mutmut_3: survived".
RESULT = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+)$")


def accepted_equivalents(path: Path = EQUIVALENT) -> dict[str, str]:
    """The mutants known to change no behaviour, by name without the package: why, for each."""
    accepted = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition(" ")
            accepted[name] = why.strip()
    return accepted


def module_files(baked: Baked, modules: list[str]) -> dict[str, str]:
    """Each module's file, relative to the project: `tokens` -> src/<package>/tokens.py."""
    package = Path("src") / baked.package
    files = {}
    for module in modules:
        found = [
            place.format(module)
            for place in PLACES
            if (baked.path / package / place.format(module)).is_file()
        ]
        if not found:
            raise SystemExit(f"No module {module!r} in {baked.combination.id}: not one of {PLACES}")
        files[module] = (package / found[0]).as_posix()
    return files


def dotted_name(path: str) -> str:
    """A module's name from its file: src/<package>/api/caller.py -> <package>.api.caller."""
    return path.removeprefix("src/").removesuffix(".py").replace("/", ".")


def configure(baked: Baked, files: dict[str, str]) -> None:
    """Tell mutmut, in the project's pyproject.toml, what to mutate and how to run the tests."""
    only = ", ".join(f'"{path}"' for path in files.values())
    config = (
        "\n[tool.mutmut]\n"
        'source_paths = ["src"]\n'
        f"only_mutate = [{only}]\n"
        # What the tests read besides src/ and tests/: the migrations, and the settings.
        'also_copy = ["alembic.ini", "migrations", ".env"]\n'
        # Alembic's check writes to the stdout mutmut closes. The tracing test, run by mutmut,
        # gets no server span (seen in its clean run; not run down). Neither is there to kill
        # the mutants of the modules mutated here, which other tests cover.
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "--ignore=tests/test_migrations.py",'
        ' "--ignore=tests/test_tracing.py"]\n'
    )
    with (baked.path / "pyproject.toml").open("a") as pyproject:
        pyproject.write(config)


@contextmanager
def test_database(baked: Baked, children: int, scratch: Path) -> Iterator[dict[str, str]]:
    """The environment that points the project's tests at a real database of its kind.

    On a server, each of the `children` runs of the tests at once takes a database of its own
    (harness/mutation_databases.py); `scratch` holds their locks.
    """
    combination = baked.combination
    if combination.database == "sqlite":
        yield {}  # the suite makes its own database file
        return
    server_classes: dict[str, type[PostgresServer | MariaDBServer]] = {
        "postgresql": PostgresServer,
        "mysql": MariaDBServer,
    }
    server = server_classes[combination.database].start_new()
    try:
        yield {
            "PYTEST_ADDOPTS": f"-p {mutation_databases.__name__}",
            mutation_databases.SERVER: server.url(),
            mutation_databases.SCHEME: combination.url_scheme,
            mutation_databases.SLOTS: str(children),
            mutation_databases.LOCKS: str(scratch),
        }
    finally:
        server.destroy()


def refresh_tests(baked: Baked) -> None:
    """Give a mutated project the template's tests as they are now, in mutmut's copy too."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = bake(baked.combination, Path(scratch))
        for tests in (baked.path / "tests", baked.path / "mutants" / "tests"):
            shutil.rmtree(tests)
            shutil.copytree(fresh.path / "tests", tests)


def last_run(
    output: Path, combination: Combination, modules: list[str], accepted: dict[str, str]
) -> tuple[Baked, dict[str, str], list[str]]:
    """The project mutated last in `output`, its modules' files, and their survivors that are news."""
    projects = [mutants.parent for mutants in output.glob("*/mutants")]
    if not projects:
        raise SystemExit(f"No earlier run of {combination.id} in {output} to run again")
    baked = Baked(combination, projects[0])
    files = module_files(baked, modules)
    dotted = tuple(f"{dotted_name(path)}." for path in files.values())
    env = {**os.environ, "PYTHONPATH": str(baked.path / "src")}
    news = [
        name
        for name, status in results(baked, env).items()
        if name.startswith(dotted)
        and status not in KILLED
        and name.removeprefix(f"{baked.package}.") not in accepted
    ]
    return baked, files, news


def mutate(
    baked: Baked, env: dict[str, str], children: int, names: list[str] | None = None
) -> dict[str, str]:
    """Run mutmut in the project (only on `names`, if given); return each mutant's status."""
    run = ["nice", "-n", "19", sys.executable, "-m", "mutmut"]
    # The template on the path too, for the plugin that gives each run its database.
    full_env = {**os.environ, **env, "PYTHONPATH": os.pathsep.join([str(baked.path / "src"), str(TEMPLATE)])}
    if names == []:
        return results(baked, full_env)
    result = subprocess.run(
        [*run, "run", "--max-children", str(children), *(names or [])],
        cwd=baked.path,
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"mutmut run failed: {explain(result)}")
    return results(baked, full_env)


def results(baked: Baked, env: dict[str, str]) -> dict[str, str]:
    """Each mutant's status in the project's last runs, by its full name."""
    run = ["nice", "-n", "19", sys.executable, "-m", "mutmut"]
    listed = subprocess.run(
        [*run, "results", "--all", "true"],
        cwd=baked.path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        match["name"]: match["status"] for line in listed.stdout.splitlines() if (match := RESULT.match(line))
    }


def report(
    baked: Baked, files: dict[str, str], statuses: dict[str, str], accepted: dict[str, str]
) -> list[str]:
    """Print the score of each module and its survivors; return the survivors that are news."""
    news = []
    for module, path in files.items():
        dotted = dotted_name(path)
        counted: Counter[str] = Counter()
        survivors = []
        for name, status in sorted(statuses.items()):
            if not name.startswith(f"{dotted}."):
                continue
            short = name.removeprefix(f"{baked.package}.")
            if status in KILLED:
                counted["killed"] += 1
            elif short in accepted:
                counted["equivalent"] += 1
            else:
                counted["survived"] += 1
                survivors.append(f"  {short}: {status}")
        judged = counted["killed"] + counted["survived"]
        score = 100 * counted["killed"] / judged if judged else 100.0
        print(
            f"{module}: {score:.1f} % killed ({counted['killed']} of {judged};"
            f" {counted['equivalent']} equivalent left out)"
        )
        print("\n".join(survivors))
        news += [line.split(":")[0].strip() for line in survivors]
    return news


def main(argv: list[str] | None = None) -> int:
    """Bake, mutate, report; exit 1 if a survivor is not an accepted equivalent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("combination", help="database-driver-auth, e.g. sqlite-sync-password")
    parser.add_argument("modules", nargs="+", help="modules of the package, e.g. tokens crud")
    parser.add_argument("--output-dir", type=Path, default=TEMPLATE / "build" / "mutation")
    parser.add_argument(
        "--children", type=int, default=2, help="mutants tested at once (default 2: each takes a core)"
    )
    parser.add_argument(
        "--again", action="store_true", help="re-run the last run's survivors with today's tests"
    )
    args = parser.parse_args(argv)
    database, driver, auth = args.combination.split("-")
    combination = Combination(database, driver, auth)
    output = args.output_dir / combination.id
    accepted = accepted_equivalents()
    names = None
    if args.again:
        baked, files, names = last_run(output, combination, args.modules, accepted)
        refresh_tests(baked)
    else:
        shutil.rmtree(output, ignore_errors=True)
        baked = bake(combination, output)
        files = module_files(baked, args.modules)
        configure(baked, files)
    with tempfile.TemporaryDirectory() as scratch, test_database(baked, args.children, Path(scratch)) as env:
        statuses = mutate(baked, env, args.children, names)
    news = report(baked, files, statuses, accepted)
    if news:
        print(f"{len(news)} survivor(s) not in {EQUIVALENT.name}: the suite would miss these bugs")
        print(f"see one with: cd {baked.path} && {sys.executable} -m mutmut show <name>")
    return 1 if news else 0


if __name__ == "__main__":
    sys.exit(main())
