/*
 * val_http.c - HTTPS GETs for the validator (TA certificates, RRDP) with
 * libcurl: https only (redirects too), gzip accepted, the decoded body
 * capped, a time limit per transfer, and optional extra trust anchors
 * (--ca-file) added to the system's.
 *
 * libcurl is loaded (dlopen) on the first fetch, not linked: with its
 * dependencies (TLS, Kerberos, LDAP, SSH, IDN libraries) it costs about
 * 6 MB of resident memory in every process that maps it, and offline runs
 * (-n) and the one-file mode never fetch. The header gives the types and
 * constants only; every call goes through the pointers of struct curl_api.
 */
#define CURL_DISABLE_TYPECHECK 1

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* The libcurl functions used, resolved at the first fetch. */
static struct curl_api {
	bool ok;
	char err[256];
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
} api;

static void *sym(void *h, const char *name)
{
	void *p = dlsym(h, name);

	if (p == NULL && api.err[0] == '\0')
		snprintf(api.err, sizeof(api.err), "libcurl: no symbol %s", name);
	return p;
}

static void curl_init_once(void)
{
	static const char *const names[] = { "libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4" };
	void *h = NULL;

	for (size_t i = 0; h == NULL && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(api.err, sizeof(api.err), "libcurl.so.4: cannot load: %s", e ? e : "not found");
		return;
	}
	/* POSIX: function pointers travel through void * from dlsym */
	*(void **)&api.global_init = sym(h, "curl_global_init");
	*(void **)&api.easy_init = sym(h, "curl_easy_init");
	*(void **)&api.easy_setopt = sym(h, "curl_easy_setopt");
	*(void **)&api.easy_perform = sym(h, "curl_easy_perform");
	*(void **)&api.easy_getinfo = sym(h, "curl_easy_getinfo");
	*(void **)&api.easy_cleanup = sym(h, "curl_easy_cleanup");
	*(void **)&api.easy_strerror = sym(h, "curl_easy_strerror");
	if (api.err[0] != '\0')
		return;
	if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(api.err, sizeof(api.err), "libcurl: curl_global_init failed");
		return;
	}
	api.ok = true;	/* the handle stays open for the life of the process */
}

void val_http_global_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

struct xfer {
	const struct val_http_opts *o;
	val_http_sink sink;
	void *arg;
	size_t got;
	bool too_big, sink_failed;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;

	if (x->o->max_size && x->got + n > x->o->max_size) {
		x->too_big = true;
		return 0;
	}
	x->got += n;
	if (x->sink(x->arg, (const uint8_t *)ptr, n) < 0) {
		x->sink_failed = true;
		return 0;
	}
	return n;
}

static CURLcode on_ssl_ctx(CURL *curl, void *sslctx, void *userdata)
{
	const char *ca_file = userdata;
	X509_STORE *st = SSL_CTX_get_cert_store((SSL_CTX *)sslctx);

	(void)curl;
	if (st == NULL || X509_STORE_load_file(st, ca_file) != 1) {
		ERR_clear_error();
		return CURLE_SSL_CACERT_BADFILE;
	}
	return CURLE_OK;
}

int val_http_get(const char *url, const struct val_http_opts *o, val_http_sink sink, void *arg)
{
	struct xfer x = { .o = o, .sink = sink, .arg = arg };
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;
	CURL *c;

	if (val_uri_check(url, VAL_URI_HTTPS) == NULL) {
		val_warnx("%s: not an acceptable https URI", url);
		return -1;
	}
	val_http_global_init();
	if (!api.ok) {
		val_warnx("%s: %s", url, api.err);
		return -1;
	}
	if ((c = api.easy_init()) == NULL) {
		val_warnx("%s: curl_easy_init failed", url);
		return -1;
	}
	api.easy_setopt(c, CURLOPT_URL, url);
	api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	api.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	api.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	api.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	api.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 15L);
	if (o->timeout > 0)
		api.easy_setopt(c, CURLOPT_TIMEOUT, o->timeout);
	/* a transfer that stalls below 100 bytes/s for 60 s is given up */
	api.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 100L);
	api.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	api.easy_setopt(c, CURLOPT_USERAGENT, "irrd_rpki_validator/1");
	api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	api.easy_setopt(c, CURLOPT_WRITEDATA, &x);
	api.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	if (o->ca_file != NULL) {
		api.easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		api.easy_setopt(c, CURLOPT_SSL_CTX_DATA, (void *)o->ca_file);
	}
	rc = api.easy_perform(c);
	api.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	api.easy_cleanup(c);
	if (x.too_big) {
		val_warnx("%s: larger than the limit of %zu bytes", url, o->max_size);
		return -1;
	}
	if (x.sink_failed)
		return -1;	/* the sink said why */
	if (rc != CURLE_OK) {
		val_warnx("%s: %s", url, errbuf[0] ? errbuf : api.easy_strerror(rc));
		return -1;
	}
	if (status == 304)
		return 0;
	if (status < 200 || status > 299) {
		val_warnx("%s: HTTP status %ld", url, status);
		return -1;
	}
	return (int)status;
}

struct membuf {
	uint8_t *p;
	size_t len, cap;
};

static int mem_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct membuf *m = arg;

	if (m->len + len + 1 > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		while (cap < m->len + len + 1)
			cap *= 2;
		m->p = xrealloc(m->p, cap);
		m->cap = cap;
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	m->p[m->len] = 0;
	return 0;
}

int val_http_fetch(const char *url, const struct val_http_opts *o, uint8_t **buf, size_t *len)
{
	struct membuf m = { 0 };
	int rc = val_http_get(url, o, mem_sink, &m);

	if (rc <= 0) {
		if (rc == 0)
			val_warnx("%s: unexpected HTTP status 304", url);
		free(m.p);
		*buf = NULL;
		*len = 0;
		return -1;
	}
	if (m.p == NULL)
		m.p = xcalloc(1, 1);
	*buf = m.p;
	*len = m.len;
	return 0;
}
