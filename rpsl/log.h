/*
 * log.h - logging for every program and layer.
 *
 * Messages start with their subject ("roas.json: line 3: ..."). In the
 * foreground (and for the command-line tools) they go to stderr as
 * "PROGRAM: message"; the daemon switches to syslog or a file with
 * log_open(). The level is checked before formatting.
 */
#ifndef RPSL_LOG_H
#define RPSL_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

enum log_level { LOG_LVL_DEBUG, LOG_LVL_INFO, LOG_LVL_WARNING, LOG_LVL_ERROR, LOG_LVL_CRITICAL };

/* Set the program name used as message prefix (basename of argv[0]). */
void log_init(const char *progname);
/* Log to syslog (use_syslog), to a file (path != NULL) or stderr (neither). 0 or -1. */
int log_open(const char *path, int use_syslog);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Parse "DEBUG" / "INFO" / "WARNING" / "ERROR" / "CRITICAL"; -1 if unknown. */
int log_level_parse(const char *name);
const char *log_progname(void);

/* Batching for a busy thread (the whois loops): from log_batch_begin,
 * this thread's lines to stderr or the log file are collected and written
 * together by log_batch_flush (also when 16 KiB are waiting). Syslog is
 * unaffected. */
void log_batch_begin(void);
void log_batch_flush(void);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define log_debug(...) do { if (log_get_level() <= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...)  do { if (log_get_level() <= LOG_LVL_INFO) log_msg(LOG_LVL_INFO, __VA_ARGS__); } while (0)
#define log_warnx(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_errx(...)  log_msg(LOG_LVL_ERROR, __VA_ARGS__)
/* As log_warnx / log_errx, with ": strerror(errno)" appended. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start-up failures and out-of-memory only: log at CRITICAL and exit(1). */
noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation helpers that call fatal on out-of-memory. */
#include <stddef.h>
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
