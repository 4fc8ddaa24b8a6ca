/*
 * prog_irrd_database_upgrade.c - bin/irrd_database_upgrade: create the
 * schema in an empty database or migrate it to this program's version.
 * Idempotent; one transaction; refuses a database whose schema is newer
 * than the programs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "irrd/cli.h"
#include "rpsl/log.h"
#include "sql/sql.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: irrd_database_upgrade --config FILE\n"
		   "  --config FILE   the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "Creates the database schema, or upgrades it to version %d.\n",
		SQL_SCHEMA_VERSION);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	struct cfg *cfg;
	struct sql_conn *c;
	char *err = NULL;
	int before, after, rc;

	log_init(argv[0]);
	if ((rc = cli_config_only(argc, argv, usage, &config, NULL)) >= 0)
		return rc;
	cfg = cfg_load_or_exit(config);
	c = sql_connect(cfg->database_url, &err);
	if (c == NULL) {
		fprintf(stderr, "%s: %s\n", log_progname(), err);
		free(err);
		cfg_free(cfg);
		return 1;
	}
	before = sql_schema_version(c);
	if (before < 0 || sql_schema_upgrade(c, &err) < 0) {
		fprintf(stderr, "%s: %s\n", log_progname(), err ? err : sql_error(c));
		free(err);
		sql_close(c);
		cfg_free(cfg);
		return 1;
	}
	after = sql_schema_version(c);
	if (before == after)
		printf("database schema is up to date (version %d)\n", after);
	else if (before == 0)
		printf("database schema created (version %d)\n", after);
	else
		printf("database schema upgraded from version %d to %d\n", before, after);
	sql_close(c);
	cfg_free(cfg);
	return 0;
}
