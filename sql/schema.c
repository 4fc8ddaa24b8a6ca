/*
 * schema.c - the database schema as versioned migrations, and the code
 * that applies them (irrd_database_upgrade) or checks them (every other
 * program).
 *
 * sql_migrations[v - 1] takes a database from version v - 1 to v. A
 * migration is never edited once released; changes go into a new one and
 * SQL_SCHEMA_VERSION moves up. The whole upgrade runs in one transaction,
 * serialised against concurrent upgrades by an advisory lock.
 *
 * Layout notes:
 * - rpsl_objects is partitioned by source. irrd_load_database fills a fresh
 *   table with COPY, builds its indexes in bulk and swaps it in for the old
 *   partition of that source (irrd_load_finish below), which is far faster
 *   than deleting and inserting a million rows through live indexes, and
 *   leaves no dead rows behind. Sources that were never bulk-loaded live in
 *   the default partition.
 * - Key columns use COLLATE "C": byte order is what the keys need, and it
 *   keeps index builds fast whatever the database's locale.
 * - object_change is written by statement triggers on rpsl_objects
 *   (migration 2; a row trigger in migration 1), so that every writer
 *   (loads, mail updates, mirrors, RPKI status changes) produces the change
 *   feed the daemon follows; a bulk load writes one RELOAD row instead.
 *   The trigger also sends NOTIFY irrd_change, which PostgreSQL delivers
 *   once per transaction at commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpsl/log.h"
#include "sql/sql_int.h"

static const char migration1[] =
	"CREATE TABLE schema_version (\n"
	"  version integer NOT NULL,\n"
	"  updated timestamptz NOT NULL DEFAULT now()\n"
	");\n"
	"INSERT INTO schema_version (version) VALUES (0);\n"

	/* Enum names and labels as IRRd's (rpkistatus, journalentryorigin);
	 * operations are stored as they appear in NRTM. */
	"CREATE TYPE rpkistatus AS ENUM ('valid', 'invalid', 'not_found');\n"
	"CREATE TYPE databaseoperation AS ENUM ('ADD', 'DEL');\n"
	"CREATE TYPE journalentryorigin AS ENUM ('unknown', 'mirror', 'synthetic_nrtm', 'pseudo_irr',\n"
	"  'auth_change', 'rpki_status', 'scope_filter', 'suspension', 'route_preference');\n"

	"CREATE SEQUENCE rpsl_objects_id_seq;\n"
	"CREATE TABLE rpsl_objects (\n"
	"  id bigint NOT NULL DEFAULT nextval('rpsl_objects_id_seq'),\n"
	"  rpsl_pk text COLLATE \"C\" NOT NULL,\n"
	"  source text COLLATE \"C\" NOT NULL,\n"
	"  object_class text COLLATE \"C\" NOT NULL,\n"
	"  object_text text NOT NULL,\n"
	"  ip_version smallint,\n"
	"  ip_first inet,\n"
	"  ip_last inet,\n"
	"  prefix cidr,\n"
	"  prefix_length smallint,\n"
	"  asn_first bigint,\n"
	"  asn_last bigint,\n"
	"  origin bigint,\n"
	/* lookup-key values as 'attr=VALUE' (e.g. 'mnt-by=MAINT-EX'), the
	 * significant values of every lookup attribute of the class except
	 * the primary key attributes (searched through rpsl_pk, prefix and
	 * origin) */
	"  lookup text[] COLLATE \"C\" NOT NULL DEFAULT '{}',\n"
	"  rpki_status rpkistatus NOT NULL DEFAULT 'not_found',\n"
	"  created timestamptz NOT NULL DEFAULT now(),\n"
	"  updated timestamptz NOT NULL DEFAULT now(),\n"
	/* row identity for updates of single objects by id (RPKI status
	 * changes); the partition key must be part of it */
	"  PRIMARY KEY (id, source),\n"
	/* IRRd's unique key: sql_object_get, upserts and deletes by key,
	 * the update diff's joins */
	"  CONSTRAINT rpsl_objects_rpsl_pk_source_class_unique UNIQUE (rpsl_pk, source, object_class)\n"
	") PARTITION BY LIST (source);\n"
	/* inverse queries and reference checks: lookup @> ARRAY['mnt-by=X'] */
	"CREATE INDEX rpsl_objects_lookup_gin ON rpsl_objects USING gin (lookup);\n"
	/* route/route6 (and single-prefix inetnum) by prefix: exact match,
	 * less-specifics as prefix = ANY(list of covering prefixes),
	 * more-specifics as prefix <<= X (btree range on inet ordering) */
	"CREATE INDEX rpsl_objects_prefix ON rpsl_objects (prefix);\n"
	"CREATE TABLE rpsl_objects_default PARTITION OF rpsl_objects DEFAULT;\n"
	/* names of the tables irrd_load_begin creates */
	"CREATE SEQUENCE rpsl_objects_load_seq;\n"

	"CREATE TABLE rpsl_database_journal (\n"
	"  serial_global bigserial NOT NULL,\n"
	"  rpsl_pk text COLLATE \"C\" NOT NULL,\n"
	"  source text COLLATE \"C\" NOT NULL,\n"
	"  origin journalentryorigin NOT NULL DEFAULT 'unknown',\n"
	"  serial_nrtm bigint NOT NULL,\n"
	"  operation databaseoperation NOT NULL,\n"
	"  object_class text NOT NULL,\n"
	"  object_text text NOT NULL,\n"
	"  timestamp timestamptz NOT NULL DEFAULT now(),\n"
	/* insertion order across sources (exports, NRTMv4-style feeds) */
	"  CONSTRAINT rpsl_database_journal_serial_global_unique UNIQUE (serial_global),\n"
	/* NRTM: -g SOURCE:3:FIRST-LAST range scans, min/max serial per source */
	"  CONSTRAINT rpsl_objects_history_serial_nrtm_source_unique UNIQUE (source, serial_nrtm)\n"
	");\n"

	"CREATE TABLE database_status (\n"
	"  source text COLLATE \"C\" PRIMARY KEY,\n"	/* one row per source */
	"  serial_oldest_seen bigint,\n"
	"  serial_newest_seen bigint,\n"
	"  serial_oldest_journal bigint,\n"
	"  serial_newest_journal bigint,\n"
	"  serial_last_export bigint,\n"
	"  serial_newest_mirror bigint,\n"
	"  force_reload boolean NOT NULL DEFAULT false,\n"
	"  synchronised_serials boolean NOT NULL DEFAULT false,\n"
	"  last_error text,\n"
	"  last_error_timestamp timestamptz,\n"
	"  rpsl_data_updated timestamptz,\n"
	"  created timestamptz NOT NULL DEFAULT now(),\n"
	"  updated timestamptz NOT NULL DEFAULT now()\n"
	");\n"

	"CREATE TABLE roa_object (\n"
	"  id bigserial PRIMARY KEY,\n"	/* row identity only */
	"  prefix cidr NOT NULL,\n"
	"  asn bigint NOT NULL,\n"
	"  max_length smallint NOT NULL,\n"
	"  trust_anchor text,\n"
	"  ip_version smallint NOT NULL,\n"
	"  created timestamptz NOT NULL DEFAULT now()\n"
	");\n"

	"CREATE TABLE object_change (\n"
	"  seq bigserial PRIMARY KEY,\n"	/* sql_changes_since: seq > $1 ORDER BY seq */
	"  op text NOT NULL CHECK (op IN ('ADD', 'DEL', 'RELOAD')),\n"
	"  source text NOT NULL,\n"
	"  object_class text,\n"
	"  rpsl_pk text,\n"
	"  created timestamptz NOT NULL DEFAULT now()\n"
	");\n"
	/* irrd_load_finish: drop a reloaded source's older changes */
	"CREATE INDEX object_change_source ON object_change (source);\n"

	/* The EXCLUSIVE lock on object_change (readers are not blocked) makes
	 * writers take seq numbers in commit order, so a reader that has seen
	 * seq N never later finds a committed change below N. */
	"CREATE FUNCTION irrd_object_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  LOCK TABLE object_change IN EXCLUSIVE MODE;\n"
	"  IF TG_OP <> 'INSERT' THEN\n"
	"    IF TG_OP = 'DELETE' OR (OLD.rpsl_pk, OLD.source, OLD.object_class)\n"
	"        IS DISTINCT FROM (NEW.rpsl_pk, NEW.source, NEW.object_class) THEN\n"
	"      INSERT INTO object_change (op, source, object_class, rpsl_pk)\n"
	"        VALUES ('DEL', OLD.source, OLD.object_class, OLD.rpsl_pk);\n"
	"    END IF;\n"
	"  END IF;\n"
	"  IF TG_OP <> 'DELETE' THEN\n"
	"    INSERT INTO object_change (op, source, object_class, rpsl_pk)\n"
	"      VALUES ('ADD', NEW.source, NEW.object_class, NEW.rpsl_pk);\n"
	"  END IF;\n"
	"  PERFORM pg_notify('" SQL_CHANGE_CHANNEL "', '');\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER rpsl_objects_change AFTER INSERT OR UPDATE OR DELETE ON rpsl_objects\n"
	"  FOR EACH ROW EXECUTE FUNCTION irrd_object_changed();\n"

	/* A new empty table shaped like rpsl_objects for a bulk load of src;
	 * returns its name. Fill it with COPY, then call irrd_load_finish.
	 * Loads run one at a time: each holds an advisory lock to its end.
	 * Otherwise two loads would deadlock, each holding the AccessShare
	 * lock on rpsl_objects that LIKE takes while waiting for the other's
	 * to go so as to swap its partition (AccessExclusive). */
	"CREATE FUNCTION irrd_load_begin(src text) RETURNS text LANGUAGE plpgsql AS $$\n"
	"DECLARE\n"
	"  t text;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(hashtext('irrd_load'));\n"
	"  t := 'rpsl_objects_load_' || nextval('rpsl_objects_load_seq');\n"
	"  EXECUTE format('CREATE TABLE %I (LIKE rpsl_objects INCLUDING DEFAULTS, CHECK (source = %L))', t, src);\n"
	"  RETURN t;\n"
	"END $$;\n"

	/* Make the loaded table t the partition of src: remove duplicate keys
	 * (the last one in input order wins, as in IRRd), build the indexes in
	 * bulk, replace the old objects of src, drop its journal and status and
	 * record one RELOAD change. Returns the number of duplicates removed.
	 * The caller holds irrd_load_begin's advisory lock. */
	"CREATE FUNCTION irrd_load_finish(src text, t text, serial bigint, synced boolean)\n"
	"  RETURNS bigint LANGUAGE plpgsql AS $$\n"
	"DECLARE\n"
	"  old regclass;\n"
	"  dups bigint := 0;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(hashtext('irrd_load'));\n"
	"  BEGIN\n"
	"    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (rpsl_pk, source, object_class)', t, t || '_key');\n"
	"  EXCEPTION WHEN unique_violation THEN\n"
	"    EXECUTE format('DELETE FROM %I a USING (SELECT rpsl_pk, object_class, max(id) AS keep FROM %I\n"
	"        GROUP BY rpsl_pk, object_class HAVING count(*) > 1) d\n"
	"        WHERE a.rpsl_pk = d.rpsl_pk AND a.object_class = d.object_class AND a.id <> d.keep', t, t);\n"
	"    GET DIAGNOSTICS dups = ROW_COUNT;\n"
	"    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I UNIQUE (rpsl_pk, source, object_class)', t, t || '_key');\n"
	"  END;\n"
	"  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (id, source)', t, t || '_pkey');\n"
	/* GIN builds get slower with more memory (a bigger in-memory tree) */
	"  PERFORM set_config('maintenance_work_mem', '64MB', true);\n"
	"  EXECUTE format('CREATE INDEX %I ON %I USING gin (lookup)', t || '_lookup', t);\n"
	"  EXECUTE format('CREATE INDEX %I ON %I (prefix)', t || '_prefix', t);\n"
	"  SELECT c.oid INTO old FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid\n"
	"    WHERE i.inhparent = 'rpsl_objects'::regclass\n"
	"      AND pg_get_expr(c.relpartbound, c.oid) = format('FOR VALUES IN (%L)', src);\n"
	"  IF old IS NOT NULL THEN\n"
	"    EXECUTE format('DROP TABLE %s', old);\n"
	"  ELSE\n"
	"    DELETE FROM rpsl_objects WHERE source = src;\n"
	"  END IF;\n"
	"  EXECUTE format('ALTER TABLE rpsl_objects ATTACH PARTITION %I FOR VALUES IN (%L)', t, src);\n"
	"  DELETE FROM rpsl_database_journal WHERE source = src;\n"
	"  DELETE FROM database_status WHERE source = src;\n"
	"  INSERT INTO database_status (source, serial_oldest_seen, serial_newest_seen,\n"
	"      synchronised_serials, rpsl_data_updated)\n"
	"    VALUES (src, serial, serial, synced, now());\n"
	"  LOCK TABLE object_change IN EXCLUSIVE MODE;\n"
	"  DELETE FROM object_change WHERE source = src;\n"
	"  INSERT INTO object_change (op, source) VALUES ('RELOAD', src);\n"
	"  PERFORM pg_notify('" SQL_CHANGE_CHANNEL "', '');\n"
	"  RETURN dups;\n"
	"END $$;\n";

/*
 * Migration 2: the change feed written once per statement instead of once
 * per row, and consumers' positions for pruning it.
 *
 * Three statement-level triggers (one per event, each with its transition
 * table) replace the row trigger: the EXCLUSIVE lock on object_change is
 * taken once per statement, the changed keys go in with one INSERT ...
 * SELECT and the NOTIFY is sent once. A statement that changes no row
 * writes nothing and takes no lock. What the daemon reads is unchanged:
 * an INSERT gives ADD per row, a DELETE DEL per row, an UPDATE ADD per new
 * row plus, first, DEL for each old key no longer present (only when a
 * key column changes; the net effect equals the row trigger's). The seq
 * order inside one statement is not meaningful (keys differ); across
 * statements and transactions it is as before. created is the time of the
 * statement's end (clock_timestamp), which is what pruning ages by.
 *
 * The index object_change_source goes (see below).
 *
 * object_change_consumer: each follower of the feed (irrd/sync.c) records
 * the seq it has handled everything up to; sql_changes_prune deletes rows
 * below the lowest such seq of the live consumers once they are old
 * enough, and object_change_horizon keeps the highest seq deleted (see
 * changes.c).
 */
static const char migration2[] =
	"DROP TRIGGER rpsl_objects_change ON rpsl_objects;\n"
	"DROP FUNCTION irrd_object_changed();\n"
	"CREATE FUNCTION irrd_objects_changed() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  IF TG_OP = 'INSERT' THEN\n"
	"    IF NOT EXISTS (SELECT 1 FROM irrd_new) THEN RETURN NULL; END IF;\n"
	"    LOCK TABLE object_change IN EXCLUSIVE MODE;\n"
	"    INSERT INTO object_change (op, source, object_class, rpsl_pk, created)\n"
	"      SELECT 'ADD', source, object_class, rpsl_pk, clock_timestamp() FROM irrd_new;\n"
	"  ELSIF TG_OP = 'DELETE' THEN\n"
	"    IF NOT EXISTS (SELECT 1 FROM irrd_old) THEN RETURN NULL; END IF;\n"
	"    LOCK TABLE object_change IN EXCLUSIVE MODE;\n"
	"    INSERT INTO object_change (op, source, object_class, rpsl_pk, created)\n"
	"      SELECT 'DEL', source, object_class, rpsl_pk, clock_timestamp() FROM irrd_old;\n"
	"  ELSE\n"
	"    IF NOT EXISTS (SELECT 1 FROM irrd_new) THEN RETURN NULL; END IF;\n"
	"    LOCK TABLE object_change IN EXCLUSIVE MODE;\n"
	/* EXCEPT is a hash or sort set operation, linear whatever the
	 * planner guesses about the transition tables' sizes */
	"    INSERT INTO object_change (op, source, object_class, rpsl_pk, created)\n"
	"      SELECT 'DEL', source, object_class, rpsl_pk, clock_timestamp() FROM\n"
	"        (SELECT source, object_class, rpsl_pk FROM irrd_old\n"
	"         EXCEPT SELECT source, object_class, rpsl_pk FROM irrd_new) gone;\n"
	"    INSERT INTO object_change (op, source, object_class, rpsl_pk, created)\n"
	"      SELECT 'ADD', source, object_class, rpsl_pk, clock_timestamp() FROM irrd_new;\n"
	"  END IF;\n"
	"  PERFORM pg_notify('" SQL_CHANGE_CHANNEL "', '');\n"
	"  RETURN NULL;\n"
	"END $$;\n"
	"CREATE TRIGGER rpsl_objects_change_ins AFTER INSERT ON rpsl_objects\n"
	"  REFERENCING NEW TABLE AS irrd_new FOR EACH STATEMENT EXECUTE FUNCTION irrd_objects_changed();\n"
	"CREATE TRIGGER rpsl_objects_change_upd AFTER UPDATE ON rpsl_objects\n"
	"  REFERENCING OLD TABLE AS irrd_old NEW TABLE AS irrd_new\n"
	"  FOR EACH STATEMENT EXECUTE FUNCTION irrd_objects_changed();\n"
	"CREATE TRIGGER rpsl_objects_change_del AFTER DELETE ON rpsl_objects\n"
	"  REFERENCING OLD TABLE AS irrd_old FOR EACH STATEMENT EXECUTE FUNCTION irrd_objects_changed();\n"
	/* one index fewer to write per change: its one reader, the DELETE of
	 * a reloaded source's rows in irrd_load_finish, scans a table that
	 * pruning keeps small */
	"DROP INDEX object_change_source;\n"
	"CREATE TABLE object_change_consumer (\n"
	"  consumer text PRIMARY KEY,\n"	/* e.g. host:pid:start time of a daemon */
	"  seq bigint NOT NULL,\n"		/* every change <= seq handled */
	"  seen timestamptz NOT NULL DEFAULT now()\n"
	");\n"
	/* the highest seq pruned so far: a consumer that was away (its
	 * registration expired) and is behind it has missed changes */
	"CREATE TABLE object_change_horizon (seq bigint NOT NULL);\n"
	"INSERT INTO object_change_horizon (seq) VALUES (0);\n";

const char *const sql_migrations[] = {
	migration1,
	migration2,
};

_Static_assert(sizeof(sql_migrations) / sizeof(sql_migrations[0]) == SQL_SCHEMA_VERSION,
	       "one migration per schema version");

int sql_schema_version(struct sql_conn *c)
{
	PGresult *res;
	int v;

	res = sql_run(c, "schema version", PGRES_TUPLES_OK,
		      "SELECT to_regclass('schema_version') IS NOT NULL", 0, NULL);
	if (res == NULL)
		return -1;
	v = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!v)
		return 0;
	res = sql_run(c, "schema version", PGRES_TUPLES_OK,
		      "SELECT max(version) FROM schema_version", 0, NULL);
	if (res == NULL)
		return -1;
	v = PQgetisnull(res, 0, 0) ? 0 : atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

int sql_schema_upgrade(struct sql_conn *c, char **err)
{
	int v;

	*err = NULL;
	if (sql_begin(c) < 0)
		goto fail;
	/* one upgrade at a time; the second waits and then finds nothing to do */
	if (sql_do(c, "schema lock", "SELECT pg_advisory_xact_lock(hashtext('irrd_schema_upgrade'))",
		   0, NULL) < 0)
		goto fail;
	if ((v = sql_schema_version(c)) < 0)
		goto fail;
	if (v > SQL_SCHEMA_VERSION) {
		*err = xasprintf("database schema version %d is newer than this program's "
				 "version %d: refusing to touch it (use a newer irrd_database_upgrade)",
				 v, SQL_SCHEMA_VERSION);
		sql_rollback(c);
		return -1;
	}
	for (; v < SQL_SCHEMA_VERSION; v++) {
		char what[64], vbuf[16];
		const char *params[1] = { vbuf };

		snprintf(what, sizeof(what), "migration to schema version %d", v + 1);
		if (sql_script(c, what, sql_migrations[v]) < 0)
			goto fail;
		snprintf(vbuf, sizeof(vbuf), "%d", v + 1);
		if (sql_do(c, what, "UPDATE schema_version SET version = $1, updated = now()",
			   1, params) < 0)
			goto fail;
	}
	if (sql_commit(c) < 0)
		goto fail;
	return 0;
fail:
	*err = xstrdup(sql_error(c));
	sql_rollback(c);
	return -1;
}

int sql_schema_check(struct sql_conn *c, char **err)
{
	int v = sql_schema_version(c);

	*err = NULL;
	if (v < 0) {
		*err = xstrdup(sql_error(c));
		return -1;
	}
	if (v == 0) {
		*err = xstrdup("database has no schema: run irrd_database_upgrade");
		return -1;
	}
	if (v < SQL_SCHEMA_VERSION) {
		*err = xasprintf("database schema version %d is older than this program's "
				 "version %d: run irrd_database_upgrade", v, SQL_SCHEMA_VERSION);
		return -1;
	}
	if (v > SQL_SCHEMA_VERSION) {
		*err = xasprintf("database schema version %d is newer than this program's "
				 "version %d: upgrade the programs", v, SQL_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}
