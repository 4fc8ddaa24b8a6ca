/* dumpcmd.c - see dumpcmd.h. */
#include "irrd/dumpcmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irrd/cli.h"
#include "rpki/importer.h"
#include "rpki/rpki.h"
#include "rpsl/log.h"
#include "sql/sql.h"

int dumpcmd_args(int argc, char **argv, bool serial, size_t max_files, void (*usage)(FILE *),
		 struct dumpcmd_args *a)
{
	int rc = 1;

	memset(a, 0, sizeof(*a));
	a->serial = -1;
	a->files = xcalloc((size_t)argc, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *v;

		if (cli_value(argc, argv, &i, "--config", &a->config) ||
		    cli_value(argc, argv, &i, "--source", &a->source))
			continue;
		if (serial && cli_value(argc, argv, &i, "--serial", &v)) {
			if (cli_number("--serial", v, 0, &a->serial) < 0)
				goto out;
		} else if (cli_next_value(argc, argv, &i, "--jobs", &v)) {
			if (cli_number("--jobs", v, 1, &a->jobs) < 0)
				goto out;
		} else if (cli_help(arg)) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			rc = cli_unknown(arg, usage);
			goto out;
		} else if (a->nfiles < max_files)
			a->files[a->nfiles++] = arg;
		else {
			fprintf(stderr, "%s: %s: only one input file is accepted\n", log_progname(), arg);
			goto out;
		}
	}
	if (a->source == NULL || a->nfiles == 0) {
		fprintf(stderr, "%s: %s\n", log_progname(),
			a->source == NULL ? "--source is required" : "no input file");
		usage(stderr);
		goto out;
	}
	return -1;
out:
	dumpcmd_args_free(a);
	return rc;
}

void dumpcmd_args_free(struct dumpcmd_args *a)
{
	free(a->files);
	a->files = NULL;
}

void dumpcmd_parse_options(const struct cfg *cfg, struct rpsl_options *po)
{
	*po = rpsl_options_default;
	po->hashers[RPSL_HASHER_MD5_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_MD5];
	po->hashers[RPSL_HASHER_CRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_CRYPT];
	po->hashers[RPSL_HASHER_BCRYPT_PW] = (enum rpsl_hasher_avail)cfg->password_hashers[CFG_HASH_BCRYPT];
}

void dumpcmd_load_opts(const struct cfg *cfg, const struct dumpcmd *d, const struct dumpcmd_args *a,
		       struct rpsl_options *po, struct sql_load_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->source = d->source;
	o->serial = a->serial;
	o->authoritative = d->src->authoritative;
	o->files = a->files;
	o->nfiles = a->nfiles;
	o->jobs = (int)a->jobs;
	o->reject = dumpcmd_print_reject;
	dumpcmd_parse_options(cfg, po);
	o->parse_opts = po;
	o->rpki_state = d->roas != NULL ? roa_load_state : NULL;
	o->rpki_arg = d->roas;
}

void dumpcmd_print_reject(void *arg, const char *file, unsigned long line, const char *cls,
			  const char *pk, const char *reason)
{
	(void)arg;
	if (pk != NULL)
		printf("%s:%lu: %s %s: %s\n", file, line, cls, pk, reason);
	else
		printf("%s:%lu: %s: %s\n", file, line, cls, reason);
}

int dumpcmd_open(const struct cfg *cfg, const char *source_arg, const char *const *files,
		 size_t nfiles, struct dumpcmd *d)
{
	char *err = NULL;
	int rc = 1;

	memset(d, 0, sizeof(*d));
	d->source = xstrdup(source_arg);
	for (char *p = d->source; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	d->src = cfg_source_find(cfg, d->source);
	if (d->src == NULL) {
		fprintf(stderr, "%s: --source %s: not a source in %s\n", log_progname(), source_arg,
			cfg->path ? cfg->path : "the configuration");
		goto fail;
	}
	if (d->src->nimport_sources > 0 || (d->src->import_source && *d->src->import_source) ||
	    d->src->import_serial_source != NULL) {
		/* IRRd refuses too: the mirror process owns such a source */
		fprintf(stderr, "%s: %s: to use this command, import_source and import_serial_source "
			"for source %s must not be set\n", log_progname(), d->source, d->source);
		rc = 2;
		goto fail;
	}
	/* fail early and clearly on unreadable files, before touching the database */
	for (size_t i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "rb");

		if (f == NULL) {
			fprintf(stderr, "%s: %s: cannot open: %s\n", log_progname(), files[i], strerror(errno));
			goto fail;
		}
		fclose(f);
	}
	d->c = sql_connect(cfg->database_url, &err);
	if (d->c == NULL)
		goto fail_err;
	if (sql_schema_check(d->c, &err) < 0)
		goto fail_err;
	/* RPKI-aware mode: routes are stored with their state under the ROA
	 * set in force (roa_object) */
	if (roa_load_for_source(d->c, cfg, d->source, &d->roas, &err) < 0)
		goto fail_err;
	return 0;
fail_err:
	fprintf(stderr, "%s: %s\n", log_progname(), err);
	free(err);
fail:
	dumpcmd_close(d);
	return rc;
}

void dumpcmd_close(struct dumpcmd *d)
{
	if (d->c != NULL)
		sql_close(d->c);
	roa_set_free(d->roas);
	free(d->source);
	memset(d, 0, sizeof(*d));
}
