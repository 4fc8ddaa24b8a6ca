/*
 * dumpcmd.h - what irrd_load_database and irrd_update_database share:
 * checking the source and the input files, connecting, checking the
 * schema, reading the ROA set in force, and printing rejected objects.
 */
#ifndef IRRD_DUMPCMD_H
#define IRRD_DUMPCMD_H

#include <stddef.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"

struct roa_set;
struct sql_conn;

struct dumpcmd {
	char *source;			/* upper case, owned */
	const struct cfg_source *src;	/* in the caller's cfg */
	struct sql_conn *c;
	struct roa_set *roas;		/* NULL unless RPKI-aware mode is on */
};

/* 0 when ready; otherwise the exit status (1, or 2 for a mirrored source),
 * after printing "PROGRAM: SUBJECT: what is wrong" and releasing all. */
int dumpcmd_open(const struct cfg *cfg, const char *source_arg, const char *const *files,
		 size_t nfiles, struct dumpcmd *d);
void dumpcmd_close(struct dumpcmd *d);

/* auth.password_hashers as the parser wants them */
void dumpcmd_parse_options(const struct cfg *cfg, struct rpsl_options *po);
/* sql_load_opts.reject: "FILE:LINE: CLASS PK: reason" on stdout */
void dumpcmd_print_reject(void *arg, const char *file, unsigned long line, const char *cls,
			  const char *pk, const char *reason);

#endif
