#!/bin/bash
# The official mariadb image's healthcheck.sh, for the tests the compose files use: --connect
# (the server accepts connections over TCP) and --innodb_initialized (InnoDB is up), as the
# healthcheck user the entrypoint made.
set -euo pipefail

sql() {
    mariadb --defaults-extra-file=/var/lib/mysql/.my-healthcheck.cnf --skip-ssl --batch --skip-column-names "$@"
}

for test in "$@"; do
    case $test in
        --connect) sql --protocol=tcp --host=127.0.0.1 -e 'SELECT 1' >/dev/null ;;
        --innodb_initialized)
            [[ $(sql --protocol=socket -e "SELECT 1 FROM information_schema.ENGINES
                WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT', 'ENABLED')") == 1 ]]
            ;;
        *)
            echo "healthcheck.sh: the stand-in knows no test $test" >&2
            exit 1
            ;;
    esac
done
