#!/bin/bash
# What the edoburu/pgbouncer image does with its environment, for Debian's PgBouncer: the
# database, user and password of DATABASE_URL, AUTH_TYPE (the password kept as it is for plain
# and scram-sha-256, as an md5 hash otherwise), POOL_MODE, MAX_CLIENT_CONN and DEFAULT_POOL_SIZE,
# written to pgbouncer.ini and userlist.txt; listening on 5432.
set -euo pipefail

url='^[a-z]+://([^:@/]+)(:([^@]*))?@([^:/]+)(:([0-9]+))?/(.+)$'
if [[ ! ${DATABASE_URL:-} =~ $url ]]; then
    echo "DATABASE_URL must be postgres://user:password@host:port/database" >&2
    exit 1
fi
user=${BASH_REMATCH[1]} password=${BASH_REMATCH[3]} host=${BASH_REMATCH[4]}
port=${BASH_REMATCH[6]:-5432} database=${BASH_REMATCH[7]}
auth_type=${AUTH_TYPE:-md5}
if [[ $auth_type == plain || $auth_type == scram-sha-256 ]]; then
    secret=$password
else
    secret=md5$(printf '%s%s' "$password" "$user" | md5sum | cut -d' ' -f1)
fi
printf '"%s" "%s"\n' "$user" "$secret" >/etc/pgbouncer/userlist.txt
chmod 600 /etc/pgbouncer/userlist.txt
{
    echo '[databases]'
    echo "$database = host=$host port=$port auth_user=$user"
    echo '[pgbouncer]'
    echo 'listen_addr = 0.0.0.0'
    echo 'listen_port = 5432'
    echo 'unix_socket_dir ='
    echo 'auth_file = /etc/pgbouncer/userlist.txt'
    echo "auth_type = $auth_type"
    echo "admin_users = $user"
    echo 'ignore_startup_parameters = extra_float_digits'
    # Only those given: PgBouncer's defaults otherwise, as edoburu's image leaves them.
    for setting in POOL_MODE MAX_CLIENT_CONN DEFAULT_POOL_SIZE; do
        if [[ -n ${!setting:-} ]]; then
            echo "${setting,,} = ${!setting}"
        fi
    done
} >/etc/pgbouncer/pgbouncer.ini
exec "$@"
