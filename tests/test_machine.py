"""This machine has what the suite needs (.ci/packages, which .ci/install-deps installs).

Each listed package's program is found, or the test is skipped naming the package (failed
under CI=true, as CI installs them all). The template's own workflow runs this file as its
`Test` step in the suite's emulation of it (test_workflows).
"""

from __future__ import annotations

import re

import pytest

from harness.projects import TEMPLATE
from harness.servers import ServerUnavailable
from harness.servers import require
from harness.workflows import listed_packages
from harness.workflows import program_path

# How a test names the package it needs: require(find, <package>), or a database fixture's.
NAMED_PACKAGE = re.compile(r'require\(\w+, "([\w.+-]+)"\)|running_server\(\w+, "\w+", "([\w.+-]+)"\)')


@pytest.mark.parametrize("package", sorted(listed_packages()))
def test_listed_package_is_installed(package: str) -> None:
    program = listed_packages()[package]

    def find() -> str:
        path = program_path(program)
        if path is None:
            raise ServerUnavailable(f"{program} is not installed")
        return str(path)

    require(find, package)


def test_every_package_a_test_names_is_listed() -> None:
    sources = "\n".join(path.read_text() for path in sorted((TEMPLATE / "tests").glob("*.py")))
    named = {package for match in NAMED_PACKAGE.findall(sources) for package in match if package}

    assert named >= {"haproxy", "pgbouncer", "postgresql", "mariadb-server"}
    assert named <= set(listed_packages())
