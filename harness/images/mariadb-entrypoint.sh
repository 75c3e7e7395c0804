#!/bin/bash
# What the official mariadb image does with its environment, for Debian's MariaDB: on an empty
# data directory, root with MARIADB_ROOT_PASSWORD from anywhere, the database MARIADB_DATABASE,
# and a healthcheck user for healthcheck.sh; then the server as the mysql user. Arguments that
# start with "-" are the server's options.
set -euo pipefail

if [[ ${1:0:1} == - ]]; then
    set -- mariadbd "$@"
fi
if [[ $1 == mariadbd && $(id -u) == 0 ]]; then
    mkdir -p /var/lib/mysql /run/mysqld
    chown mysql:mysql /var/lib/mysql /run/mysqld
    exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
fi

# A value inside single quotes in SQL.
quoted() {
    local value=${1//\\/\\\\}
    printf "'%s'" "${value//\'/\\\'}"
}

if [[ $1 == mariadbd && ! -d /var/lib/mysql/mysql ]]; then
    : "${MARIADB_ROOT_PASSWORD:?is required to initialise the database (the compose files set it)}"
    mariadb-install-db --datadir=/var/lib/mysql --skip-test-db --auth-root-authentication-method=normal \
        >/dev/null
    "$@" --skip-networking --socket=/run/mysqld/mysqld.sock &
    server=$!
    for _ in $(seq 60); do
        mariadb --protocol=socket -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.5
    done
    root=$(quoted "$MARIADB_ROOT_PASSWORD")
    health=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    {
        echo "ALTER USER root@localhost IDENTIFIED BY $root;"
        echo "CREATE USER root@'%' IDENTIFIED BY $root;"
        echo "GRANT ALL ON *.* TO root@'%' WITH GRANT OPTION;"
        for host in localhost 127.0.0.1 ::1; do
            echo "CREATE USER healthcheck@'$host' IDENTIFIED BY '$health';"
        done
        if [[ -n ${MARIADB_DATABASE:-} ]]; then
            echo "CREATE DATABASE IF NOT EXISTS \`${MARIADB_DATABASE//\`/\`\`}\`;"
        fi
    } | mariadb --protocol=socket -uroot
    printf '[mariadb-client]\nuser=healthcheck\npassword=%s\n' "$health" >/var/lib/mysql/.my-healthcheck.cnf
    chmod 600 /var/lib/mysql/.my-healthcheck.cnf
    kill "$server"
    wait "$server"
    echo "MariaDB init process done. Ready for start up."
fi
exec "$@"
