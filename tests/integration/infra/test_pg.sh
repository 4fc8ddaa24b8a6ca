#!/bin/bash
# test_pg.sh - the test environment and scripts/pg.sh: the throwaway cluster
# answers, fresh databases can be made, a private cluster survives a restart
# with its data and port, and destroy removes it.
. "$(dirname "$0")/../lib/lib.sh"
it_begin

it_eq "IRRD_TEST_DATABASE_URL answers" "$(it_psql "$IRRD_TEST_DATABASE_URL" 'SELECT 40 + 2')" "42"
it_eq "server is PostgreSQL 15" \
	"$(it_psql "$IRRD_TEST_DATABASE_URL" 'SHOW server_version_num' | cut -c1-2)" "15"
it_eq "UTF8 database" "$(it_psql "$IRRD_TEST_DATABASE_URL" 'SHOW server_encoding')" "UTF8"

db1=$(it_new_db)
db2=$(it_new_db)
it_check "it_new_db gives a usable database" it_psql "$db1" 'CREATE TABLE t (x int); INSERT INTO t VALUES (1)'
it_check "it_new_db databases are distinct" test "$db1" != "$db2"
it_eq "a new database is empty" "$(it_psql "$db2" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "0"
it_check "createdb works from the environment" createdb "plain_$$"

# A private cluster of our own, as `make run` uses under var/pg.
pg=$IT_TMP/cluster
pgsh=$SRCDIR/scripts/pg.sh
url=$("$pgsh" start "$pg" --db demo 2>/dev/null)
it_contains "pg.sh start prints a database_url" "$url" "postgresql://irrd@127.0.0.1:"
it_check "pg.sh status: running" "$pgsh" status "$pg"
it_check "the new cluster answers" it_psql "$url" 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)'
port=$(cat "$pg/port")
it_check "pg.sh stop" "$pgsh" stop "$pg"
it_check_fails "pg.sh status: stopped" "$pgsh" status "$pg"
url2=$("$pgsh" start "$pg" --db demo 2>/dev/null)
it_eq "restart reuses the port" "$url2" "$url"
it_eq "data survives a restart" "$(it_psql "$url2" 'SELECT x FROM kept')" "7"
it_eq "pg.sh url" "$("$pgsh" url "$pg" demo)" "$url"
it_eq "pg.sh createdb" "$("$pgsh" createdb "$pg" other 2>/dev/null)" "postgresql://irrd@127.0.0.1:$port/other"
it_check_fails "pg.sh rejects odd database names" "$pgsh" createdb "$pg" "bad-name;"
it_check "pg.sh destroy" "$pgsh" destroy "$pg"
it_check_fails "destroy removed the directory" test -e "$pg"
it_check_fails "destroy stopped the server" it_psql "$url" 'SELECT 1'

it_done
