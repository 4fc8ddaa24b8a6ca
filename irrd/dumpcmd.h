/*
 * dumpcmd.h - what irrd_load_database and irrd_update_database share:
 * their arguments, checking the source and the input files, connecting,
 * checking the schema, reading the ROA set in force, the load options,
 * and printing rejected objects.
 */
#ifndef IRRD_DUMPCMD_H
#define IRRD_DUMPCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf/conf.h"
#include "rpsl/rpsl.h"

struct roa_set;
struct sql_conn;
struct sql_load_opts;

/* --config F --source S [--serial N] [--jobs N] FILE... */
struct dumpcmd_args {
	const char *config;	/* NULL: the default */
	const char *source;
	long long serial;	/* -1 unless --serial */
	long long jobs;		/* 0: one parser thread per CPU */
	const char **files;	/* owned (dumpcmd_args_free) */
	size_t nfiles;
};

struct dumpcmd {
	char *source;			/* upper case, owned */
	const struct cfg_source *src;	/* in the caller's cfg */
	struct sql_conn *c;
	struct roa_set *roas;		/* NULL unless RPKI-aware mode is on */
};

/* Parses argv into *a: --serial only when `serial`, at most max_files
 * files. -1 when the program goes on; otherwise the exit status (0 after
 * --help, 1 after printing what is wrong), *a already freed. */
int dumpcmd_args(int argc, char **argv, bool serial, size_t max_files, void (*usage)(FILE *),
		 struct dumpcmd_args *a);
void dumpcmd_args_free(struct dumpcmd_args *a);

/* 0 when ready; otherwise the exit status (1, or 2 for a mirrored source),
 * after printing "PROGRAM: SUBJECT: what is wrong" and releasing all. */
int dumpcmd_open(const struct cfg *cfg, const char *source_arg, const char *const *files,
		 size_t nfiles, struct dumpcmd *d);
void dumpcmd_close(struct dumpcmd *d);

/* auth.password_hashers as the parser wants them */
void dumpcmd_parse_options(const struct cfg *cfg, struct rpsl_options *po);
/* *o for loading a's files into d's source: serial, jobs, the parser
 * options (*po, filled here), the reject printer and the RPKI state; the
 * caller adds what is its own (keep_journal, synchronised_serials) */
void dumpcmd_load_opts(const struct cfg *cfg, const struct dumpcmd *d, const struct dumpcmd_args *a,
		       struct rpsl_options *po, struct sql_load_opts *o);
/* sql_load_opts.reject: "FILE:LINE: CLASS PK: reason" on stdout */
void dumpcmd_print_reject(void *arg, const char *file, unsigned long line, const char *cls,
			  const char *pk, const char *reason);

#endif
