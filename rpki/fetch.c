/*
 * fetch.c - read a ROA export or SLURM file from file://, http:// or
 * https:// into memory with libcurl: a size cap, a timeout, at most 5
 * redirects (HTTP(S) only), compressed transfer accepted. Blocking; the
 * daemon calls it outside its event loop.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "rpsl/log.h"
#include "rpki/rpki.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	char *buf;
	size_t len, cap, max;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb;

	if (n > s->max - s->len) {
		s->too_big = true;
		return 0;	/* makes curl fail with CURLE_WRITE_ERROR */
	}
	if (s->len + n + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 65536;
		while (ncap < s->len + n + 1)
			ncap *= 2;
		s->buf = xrealloc(s->buf, ncap);
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

static bool scheme_ok(const char *url)
{
	return strncasecmp(url, "file://", 7) == 0 || strncasecmp(url, "http://", 7) == 0 ||
	       strncasecmp(url, "https://", 8) == 0;
}

int roa_fetch(const char *url, size_t max_size, long timeout, char **buf, size_t *len, char **errmsg)
{
	struct sink s = { .max = max_size };
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	*buf = NULL;
	*len = 0;
	*errmsg = NULL;
	if (!scheme_ok(url)) {
		*errmsg = xasprintf("%s: unsupported URL (file://, http:// or https:// expected)", url);
		return -1;
	}
	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		*errmsg = xasprintf("%s: libcurl initialisation failed: %s", url, curl_easy_strerror(curl_init_rc));
		return -1;
	}
	c = curl_easy_init();
	if (c == NULL) {
		*errmsg = xasprintf("%s: libcurl initialisation failed", url);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "file,http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_FILE | CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "irrd-c");
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_size);
	if (timeout > 0) {
		curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout < 30 ? timeout : 30L);
	}
	rc = curl_easy_perform(c);
	if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		*errmsg = xasprintf("%s: larger than the limit of %zu bytes", url, max_size);
		goto out;
	}
	if (rc != CURLE_OK) {
		*errmsg = xasprintf("%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (strncasecmp(url, "file://", 7) != 0 && status >= 400) {
		*errmsg = xasprintf("%s: HTTP status %ld", url, status);
		goto out;
	}
	if (s.buf == NULL)
		s.buf = xmalloc(1);
	s.buf[s.len] = '\0';
	*buf = s.buf;
	*len = s.len;
	s.buf = NULL;
	ret = 0;
out:
	free(s.buf);
	curl_easy_cleanup(c);
	return ret;
}
