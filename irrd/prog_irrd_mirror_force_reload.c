/*
 * prog_irrd_mirror_force_reload.c - bin/irrd_mirror_force_reload: mark a
 * mirrored source so that its next mirror run is a full reload from
 * import_source (IRRd's irrd_mirror_force_reload).
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
	fprintf(f, "usage: irrd_mirror_force_reload --config FILE SOURCE\n"
		   "  --config FILE   the YAML configuration (default " CFG_PATH_DEFAULT ")\n"
		   "The next mirror run of SOURCE reloads it in full from its import_source.\n");
}

int main(int argc, char **argv)
{
	const char *config = NULL, *source = NULL;
	const struct cfg_source *cs;
	struct cfg *cfg;
	struct sql_conn *c;
	char *err = NULL, *src;
	int rc;

	log_init(argv[0]);
	if ((rc = cli_config_only(argc, argv, usage, &config, &source)) >= 0)
		return rc;
	rc = 1;
	if (source == NULL) {
		fprintf(stderr, "%s: SOURCE: missing\n", log_progname());
		usage(stderr);
		return 1;
	}
	cfg = cfg_load_or_exit(config);
	src = xstrdup(source);
	for (char *p = src; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	cs = cfg_source_find(cfg, src);
	if (cs == NULL) {
		fprintf(stderr, "%s: %s: not a configured source\n", log_progname(), src);
		goto out;
	}
	if (cs->import_source == NULL && cs->nrtm_host == NULL)
		fprintf(stderr, "%s: %s: warning: the source has no import_source or nrtm_host; "
			"nothing will mirror it\n", log_progname(), src);
	c = sql_connect(cfg->database_url, &err);
	if (c == NULL) {
		fprintf(stderr, "%s: %s\n", log_progname(), err);
		free(err);
		goto out;
	}
	if (sql_schema_check(c, &err) < 0 || sql_status_set_force_reload(c, src) < 0) {
		fprintf(stderr, "%s: %s\n", log_progname(), err ? err : sql_error(c));
		free(err);
	} else {
		printf("%s: the next mirror run will reload it in full\n", src);
		rc = 0;
	}
	sql_close(c);
out:
	free(src);
	cfg_free(cfg);
	return rc;
}
