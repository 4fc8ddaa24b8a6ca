/* log.c - see log.h. */
#include "rpsl/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "irrd";
static _Atomic int cur_level = LOG_LVL_INFO;
static int to_syslog;
/* The daemon logs from several threads and reopens the file on SIGHUP:
 * the mutex keeps a line whole and the FILE alive while it is written. */
static pthread_mutex_t logfile_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *logfile;
static _Atomic int to_file;	/* logfile is set (the batch's line format) */

static const char *const level_names[] = { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL" };
static const int syslog_prio[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT };

void log_init(const char *name)
{
	const char *slash = strrchr(name, '/');
	progname = slash ? slash + 1 : name;
}

const char *log_progname(void) { return progname; }

int log_open(const char *path, int use_syslog)
{
	if (use_syslog) {
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		to_syslog = 1;
		return 0;
	}
	if (path != NULL) {
		FILE *f = fopen(path, "a");
		if (f == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
		pthread_mutex_lock(&logfile_mu);
		FILE *old = logfile;
		logfile = f;
		to_file = 1;
		pthread_mutex_unlock(&logfile_mu);
		if (old != NULL)
			fclose(old);
	}
	return 0;
}

void log_set_level(enum log_level lvl) { cur_level = (int)lvl; }
enum log_level log_get_level(void) { return (enum log_level)cur_level; }

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

/* Lines of this thread collected between log_batch_begin and
 * log_batch_flush (stderr and the log file only). */
static __thread struct {
	int on;
	size_t len;
	char buf[16384];
} batch;

void log_batch_begin(void)
{
	batch.on = 1;
}

static void batch_write(void)
{
	if (batch.len == 0)
		return;
	pthread_mutex_lock(&logfile_mu);
	fwrite(batch.buf, 1, batch.len, logfile != NULL ? logfile : stderr);
	if (logfile != NULL)
		fflush(logfile);
	pthread_mutex_unlock(&logfile_mu);
	batch.len = 0;
}

void log_batch_flush(void)
{
	batch_write();
	batch.on = 0;
}

/* Append one formatted line to the batch; false if it does not fit even
 * in an empty one (the caller writes it directly). */
static int batch_add(enum log_level lvl, const char *text)
{
	for (int pass = 0; pass < 2; pass++) {
		size_t room = sizeof(batch.buf) - batch.len;
		int n;
		if (to_file) {
			char ts[32];
			time_t now = time(NULL);
			struct tm tm;
			gmtime_r(&now, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
			n = snprintf(batch.buf + batch.len, room, "%s %s[%ld] %s: %s\n", ts, progname,
				     (long)getpid(), level_names[lvl], text);
		} else {
			n = snprintf(batch.buf + batch.len, room, "%s: %s\n", progname, text);
		}
		if (n >= 0 && (size_t)n < room) {
			batch.len += (size_t)n;
			return 1;
		}
		if (batch.len == 0)
			return 0;
		batch_write();
	}
	return 0;
}

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	if ((int)lvl < cur_level)
		return;
	if (to_syslog) {
		vsyslog(syslog_prio[lvl], fmt, ap);
		return;
	}
	/* One line, formatted first and written with one call, so that lines
	 * of concurrent threads never interleave. */
	char line[2048];
	char *msg = NULL;
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(line, sizeof(line), fmt, copy);
	va_end(copy);
	const char *text = line;
	if (n >= (int)sizeof(line) && vasprintf(&msg, fmt, ap) >= 0)
		text = msg;
	if (batch.on && batch_add(lvl, text)) {
		free(msg);
		return;
	}
	pthread_mutex_lock(&logfile_mu);
	if (logfile != NULL) {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(logfile, "%s %s[%ld] %s: %s\n", ts, progname, (long)getpid(), level_names[lvl], text);
	} else {
		fprintf(stderr, "%s: %s\n", progname, text);
	}
	pthread_mutex_unlock(&logfile_mu);
	free(msg);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

static void log_with_errno(enum log_level lvl, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_msg(lvl, "%s: %s", msg, strerror(saved));
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_with_errno(LOG_LVL_WARNING, fmt, ap);
	va_end(ap);
}

void log_err(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_with_errno(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
}

noreturn void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOG_LVL_CRITICAL, fmt, ap);
	va_end(ap);
	exit(1);
}

noreturn void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_with_errno(LOG_LVL_CRITICAL, fmt, ap);
	va_end(ap);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		fatalx("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		fatalx("out of memory (%zu bytes)", n);
	return q;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (p == NULL)
		fatalx("out of memory");
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	char *p;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		fatalx("out of memory");
	va_end(ap);
	return p;
}
