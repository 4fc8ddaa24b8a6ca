/*
 * export.c - source exports (nrtm_export_run), as IRRd's SourceExportRunner:
 * DIR/<source lower>.db.gz with every visible object (auth hashes
 * removed, dummified as configured), each followed by "\n", then "# EOF\n"; DIR/<SOURCE>.CURRENTSERIAL
 * with serial_newest_seen. Both written to temporary names and renamed,
 * so a mirror never reads half a file; read in one snapshot, so the
 * serial matches the objects.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "nrtm/nrtm.h"
#include "rpsl/log.h"
#include "sql/sql.h"

struct exp {
	gzFile gz;
	bool failed;
	long n;
	const char *source;
	const struct cfg_source *cs;
	int64_t serial;
	bool has_status;
};

static int status_cb(void *arg, const struct sql_source_status *st)
{
	struct exp *e = arg;

	if (strcmp(st->source, e->source) == 0) {
		e->serial = st->serial_newest_seen;
		e->has_status = true;
	}
	return 0;
}

static int obj_cb(void *arg, const struct sql_object_row *row)
{
	struct exp *e = arg;
	size_t len;
	char *text;

	if (row->rpki_status == RPKI_INVALID)
		return 0;
	text = nrtm_remove_auth_hashes(row->object_text, row->text_len, &len);
	if (e->cs != NULL && e->cs->nnrtm_dummified_attributes > 0) {
		char *d = nrtm_dummify(e->cs, text, len, row->object_class, row->rpsl_pk, &len);

		free(text);
		text = d;
	}
	if (gzwrite(e->gz, text, (unsigned)len) != (int)len || gzwrite(e->gz, "\n", 1) != 1)
		e->failed = true;
	free(text);
	e->n++;
	return e->failed ? -1 : 0;
}

int nrtm_export_run(struct sql_conn *c, const char *source, const struct cfg_source *cs, const char *dir,
		    int64_t *serial_out, char **err)
{
	struct exp e = { .source = source, .cs = cs, .serial = -1 };
	char *lower = xstrdup(source), *final_db = NULL, *final_serial = NULL, *tmp_db = NULL,
	     *tmp_serial = NULL;
	int fd = -1, rc = -1;

	*err = NULL;
	*serial_out = -1;
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	final_db = xasprintf("%s/%s.db.gz", dir, lower);
	final_serial = xasprintf("%s/%s.CURRENTSERIAL", dir, source);
	tmp_db = xasprintf("%s/.%s.db.gz.XXXXXX", dir, lower);
	tmp_serial = xasprintf("%s/.%s.CURRENTSERIAL.XXXXXX", dir, source);

	if ((fd = mkstemp(tmp_db)) < 0) {
		*err = xasprintf("%s: export: %s: %s", source, tmp_db, strerror(errno));
		free(tmp_db);
		tmp_db = NULL;
		goto out;
	}
	if ((e.gz = gzdopen(fd, "wb6")) == NULL) {
		*err = xasprintf("%s: export: %s: cannot open for gzip", source, tmp_db);
		close(fd);
		goto out;
	}
	if (sql_begin_snapshot(c) < 0 || sql_status_foreach(c, status_cb, &e) < 0 ||
	    sql_objects_foreach(c, source, obj_cb, &e) < 0) {
		*err = xasprintf("%s: export: %s", source, e.failed ? "write failed" : sql_error(c));
		sql_rollback(c);
		gzclose(e.gz);
		goto out;
	}
	sql_commit(c);
	if (gzwrite(e.gz, "# EOF\n", 6) != 6)
		e.failed = true;
	if (gzclose(e.gz) != Z_OK || e.failed) {
		*err = xasprintf("%s: export: %s: write failed", source, tmp_db);
		goto out;
	}
	chmod(tmp_db, 0644);
	if (e.serial >= 0) {
		FILE *f;

		if ((fd = mkstemp(tmp_serial)) < 0 || (f = fdopen(fd, "w")) == NULL) {
			*err = xasprintf("%s: export: %s: %s", source, tmp_serial, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		fprintf(f, "%" PRId64, e.serial);
		if (fclose(f) != 0) {
			*err = xasprintf("%s: export: %s: %s", source, tmp_serial, strerror(errno));
			goto out;
		}
		chmod(tmp_serial, 0644);
	}
	if (rename(tmp_db, final_db) < 0) {
		*err = xasprintf("%s: export: %s: %s", source, final_db, strerror(errno));
		goto out;
	}
	free(tmp_db);
	tmp_db = NULL;
	if (e.serial >= 0) {
		if (rename(tmp_serial, final_serial) < 0) {
			*err = xasprintf("%s: export: %s: %s", source, final_serial, strerror(errno));
			goto out;
		}
	} else
		unlink(final_serial);
	free(tmp_serial);
	tmp_serial = NULL;
	{
		char sbuf[32];
		const char *params[2] = { source, NULL };

		snprintf(sbuf, sizeof(sbuf), "%" PRId64, e.serial);
		params[1] = e.serial >= 0 ? sbuf : NULL;
		if (sql_exec(c, "UPDATE database_status SET serial_last_export = $2::bigint, updated = now()"
			     " WHERE source = $1", 2, params) < 0)
			log_warnx("%s: export: recording serial_last_export: %s", source, sql_error(c));
	}
	*serial_out = e.serial;
	rc = 0;
out:
	if (tmp_db != NULL)
		unlink(tmp_db);
	if (tmp_serial != NULL && e.serial >= 0)
		unlink(tmp_serial);
	free(lower);
	free(final_db);
	free(final_serial);
	free(tmp_db);
	free(tmp_serial);
	return rc;
}
