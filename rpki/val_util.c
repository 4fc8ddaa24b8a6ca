/*
 * val_util.c - logging, files, hashes, base64 and URI checks shared by the
 * validator's parts (see val_int.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/sha.h>

#include "rpki/val_int.h"
#include "rpsl/base64.h"
#include "rpsl/log.h"

static pthread_mutex_t log_mtx = PTHREAD_MUTEX_INITIALIZER;
static bool log_quiet;
static void (*log_sink)(int, const char *);

void val_log_sink(void (*fn)(int level, const char *msg))
{
	log_sink = fn;
}

void val_log_quiet(bool quiet)
{
	log_quiet = quiet;
}

void val_log(int level, const char *fmt, ...)
{
	enum log_level lvl = level >= 2 ? LOG_LVL_WARNING : level == 1 ? LOG_LVL_INFO : LOG_LVL_DEBUG;
	char msg[2048];
	va_list ap;

	if (log_quiet || lvl < log_get_level())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&log_mtx);
	if (log_sink != NULL)
		log_sink(level >= 2 ? 2 : level, msg);
	else
		log_msg(lvl, "%s", msg);
	pthread_mutex_unlock(&log_mtx);
}

void val_log_crypto(const char *fn, const char *what)
{
	char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0) {
		val_warnx("%s: %s", fn, what);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	val_warnx("%s: %s: %s", fn, what, buf);
	ERR_clear_error();
}

uint8_t *val_read_file(const char *path, size_t max, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = 0;
	*len = off;
	return buf;
}

int val_mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) < 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int val_write_file(const char *path, const void *buf, size_t len)
{
	char *tmp, *slash;
	const uint8_t *b = buf;
	int fd;

	slash = strrchr(path, '/');
	if (slash != NULL && slash != path) {
		char *dir = xstrndup(path, (size_t)(slash - path));
		int rc = val_mkdirs(dir);
		free(dir);
		if (rc < 0)
			return -1;
	}
	tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			free(tmp);
			return -1;
		}
		b += n;
		len -= (size_t)n;
	}
	if (fchmod(fd, 0644) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

int val_rmtree(const char *dir)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* nftw has no context pointer: one walk per thread at a time */
static __thread uint64_t walk_bytes, walk_files;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode)) {
		walk_bytes += (uint64_t)st->st_size;
		walk_files++;
	}
	return 0;
}

void val_tree_size(const char *dir, uint64_t *bytes, uint64_t *files)
{
	walk_bytes = walk_files = 0;
	nftw(dir, walk_one, 16, FTW_PHYS);
	*bytes = walk_bytes;
	*files = walk_files;
}

void val_sha256(const void *buf, size_t len, uint8_t out[32])
{
	SHA256(buf, len, out);
}

uint8_t *val_base64_decode(const char *s, size_t len, size_t *outlen)
{
	uint8_t *out = xmalloc(len / 4 * 3 + 3);
	ssize_t n = base64_decode(s, len, out, BASE64_STRICT);

	if (n < 0) {
		free(out);
		*outlen = 0;
		return NULL;
	}
	*outlen = (size_t)n;
	return out;
}

char *val_base64_encode(const uint8_t *buf, size_t len)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = xmalloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8 | buf[i + 2];
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = tbl[(v >> 6) & 63];
		*o++ = tbl[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)buf[i] << 16 | (i + 1 < len ? (uint32_t)buf[i + 1] << 8 : 0);
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

void val_hex(const uint8_t *buf, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hx[buf[i] >> 4];
		out[2 * i + 1] = hx[buf[i] & 15];
	}
	out[2 * len] = '\0';
}

char *val_time_text(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "%lld", (long long)t);
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static bool uri_char_ok(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return strchr("-._~+%@=,:!$&'()*;", c) != NULL && c != '\0';
}

const char *val_uri_check(const char *uri, int schemes)
{
	const char *rest, *p, *seg;
	size_t len = strlen(uri);

	if (len > 1024)
		return NULL;
	if ((schemes & VAL_URI_RSYNC) && strncasecmp(uri, "rsync://", 8) == 0)
		rest = uri + 8;
	else if ((schemes & VAL_URI_HTTPS) && strncasecmp(uri, "https://", 8) == 0)
		rest = uri + 8;
	else
		return NULL;
	/* host: up to the first '/', no leading '.', not empty */
	p = rest;
	if (*p == '\0' || *p == '/' || *p == '.')
		return NULL;
	for (; *p && *p != '/'; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_'))
			return NULL;
	}
	if (p - rest == 2 && rest[0] == '.' && rest[1] == '.')
		return NULL;
	if (*p == '\0')
		return rest;		/* host only */
	/* path segments */
	seg = ++p;
	for (;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t n = (size_t)(p - seg);
			if (n == 0 && *p == '/')
				return NULL;			/* "//" */
			if ((n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
				return NULL;
			if (*p == '\0')
				break;
			seg = p + 1;
			continue;
		}
		if (!uri_char_ok((unsigned char)*p))
			return NULL;
	}
	return rest;
}

const char *val_uri_file(const char *uri)
{
	const char *s = strrchr(uri, '/');
	return s ? s + 1 : "";
}

bool val_uri_under(const char *uri, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 0 || dir[n - 1] != '/')
		return false;
	return strncmp(uri, dir, n) == 0 && uri[n] != '\0';
}

bool val_filename_ok(const char *name, size_t len)
{
	size_t dot = len;

	if (len < 5 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (dot != len)
				return false;
			dot = i;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return dot != len && dot > 0 && len - dot - 1 == 3;
}
