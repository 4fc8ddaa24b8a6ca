/*
 * cli.h - command-line helpers for the program mains that parse their
 * arguments by hand (irrd, irrd_load_database, irrd_update_database,
 * irrd_database_upgrade, irrd_mirror_force_reload, irrd_submit_email):
 * "--name VALUE" and "--name=VALUE", numbers, --help, and the "unknown
 * argument" error, worded the same in every program.
 */
#ifndef IRRD_CLI_H
#define IRRD_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* argv[*i] is NAME and a value follows in the next argument: *out is that
 * value and *i steps onto it. NAME as the last argument does not match, so
 * the caller reports it as an unknown argument. */
bool cli_next_value(int argc, char **argv, int *i, const char *name, const char **out);
/* the same, or argv[*i] is "NAME=VALUE" (*i stays) */
bool cli_value(int argc, char **argv, int *i, const char *name, const char **out);
/* "--help" or "-h" */
bool cli_help(const char *arg);
/* "PROGRAM: ARG: unknown argument" and the usage text on stderr; returns 1,
 * the exit status for bad usage */
int cli_unknown(const char *arg, void (*usage)(FILE *));
/* The whole command line of a program whose only option is --config (and
 * --help): -1 when the program goes on, else its exit status (0 after
 * --help, 1 after an unknown argument). With arg != NULL, the first
 * argument that is not an option goes to *arg. */
int cli_config_only(int argc, char **argv, void (*usage)(FILE *), const char **config, const char **arg);
/* S as a decimal number of at least MIN into *out: 0; otherwise
 * "PROGRAM: OPT: invalid number S" on stderr and -1 */
int cli_number(const char *opt, const char *s, long long min, long long *out);

#endif
