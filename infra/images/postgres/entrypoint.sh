#!/bin/sh
# First start on an empty volume: initdb, then create the role and database (password
# auth from other hosts, trust on the local socket), then run the server in the foreground
# as the container's main process, listening on every address. Later starts just run it.
set -eu

bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
: "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "switchyard-postgres: initializing $PGDATA"
  "$bin/initdb" --pgdata="$PGDATA" --username=postgres --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  cat >>"$PGDATA/pg_hba.conf" <<HBA
host all all 0.0.0.0/0 scram-sha-256
host all all ::/0 scram-sha-256
HBA
  # Only the local socket while the role and database are created.
  "$bin/pg_ctl" --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start >/dev/null
  psql --username=postgres --dbname=postgres --set=ON_ERROR_STOP=1 --quiet \
    --set=user="$POSTGRES_USER" --set=password="$POSTGRES_PASSWORD" --set=db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'user', :'password') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') \gexec
SQL
  "$bin/pg_ctl" --pgdata="$PGDATA" --mode=fast --wait stop >/dev/null
  echo "switchyard-postgres: created role $POSTGRES_USER and database $POSTGRES_DB"
fi

exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c jit=off -c unix_socket_directories=/run/postgresql
