#!/bin/bash
# What the official postgres image does with its environment, for Debian's PostgreSQL: on an
# empty PGDATA, a cluster whose superuser is POSTGRES_USER with POSTGRES_PASSWORD (scram-sha-256
# over the network, trust on the local socket), and the database POSTGRES_DB; then the server,
# listening on every address, as the postgres user.
set -euo pipefail

if [[ ${1:0:1} == - ]]; then
    set -- postgres "$@"
fi
if [[ $1 == postgres && $(id -u) == 0 ]]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi
if [[ $1 == postgres && ! -s $PGDATA/PG_VERSION ]]; then
    : "${POSTGRES_PASSWORD:?is required to initialise the database (the official image refuses too)}"
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    initdb --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
    if [[ $database != postgres ]]; then
        echo "CREATE DATABASE \"${database//\"/\"\"}\"" | postgres --single -D "$PGDATA" postgres >/dev/null
    fi
    echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
