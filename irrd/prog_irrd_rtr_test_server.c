/*
 * prog_irrd_rtr_test_server.c - a TEST TOOL, not part of the product: a
 * standalone RTR cache on libevent that serves a ROA JSON file, to try
 * rpki/rtr_*.c against real clients (rtrclient, rtr_probe.py) before the
 * daemon serves RTR itself. bin/irrd does the real thing.
 *
 *   irrd_rtr_test_server [-a ADDR] [-p PORT] [-n SECONDS] FILE.json
 *
 * FILE.json: {"roas": [{"asn", "prefix", "maxLength"}...], "aspas":
 * [{"customer_asid", "providers": [...]}...], "bgpsec_keys": [{"asn",
 * "ski" (hex), "pubkey" (base64)}...]} (rpki-client / gen_vrps.py layout).
 * SIGHUP re-reads the file and, if it changed, serves it under a new
 * serial and notifies every session. Prints "listening on ADDR:PORT".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "rpsl/log.h"
#include "rpki/rtr.h"

struct conn {
	struct conn *next, *prev;
	struct bufferevent *bev;
	struct rtr_session *s;
	bool closing;
	time_t close_at;
};

static struct event_base *base;
static struct rtr_cache *cache;
static struct conn *conns;
static const char *roa_file;
static size_t nconns;

static time_t
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long long
json_asn(json_t *v)
{
	const char *s;
	char *end;
	long long n;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strncasecmp(s, "AS", 2) == 0)
		s += 2;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < 0 || n > 4294967295LL)
		return -1;
	return n;
}

static int
parse_prefix(const char *text, struct rtr_vrp *v)
{
	char buf[64], *slash, *end;
	long len;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] == '\0')
		return -1;
	memset(v, 0, sizeof(*v));
	if (strchr(buf, ':') != NULL) {
		v->prefix.family = IP_AF6;
		if (inet_pton(AF_INET6, buf, v->prefix.a) != 1 || len < 0 || len > 128)
			return -1;
	} else {
		v->prefix.family = IP_AF4;
		if (inet_pton(AF_INET, buf, v->prefix.a) != 1 || len < 0 || len > 32)
			return -1;
	}
	v->prefix.len = (uint8_t)len;
	return 0;
}

/* Load the file into a new set; NULL (logged) on an error. */
static struct rtr_set *
load(const char *path)
{
	json_error_t jerr;
	json_t *root, *arr, *e, *p;
	struct rtr_set *set;
	struct rtr_vrp v;
	size_t i, j, bad = 0;
	long long asn;

	root = json_load_file(path, 0, &jerr);
	if (root == NULL) {
		log_warnx("%s: line %d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	set = rtr_set_new();
	arr = json_object_get(root, "roas");
	json_array_foreach(arr, i, e) {
		json_t *ml = json_object_get(e, "maxLength");

		asn = json_asn(json_object_get(e, "asn"));
		if (asn < 0 || !json_is_string(json_object_get(e, "prefix")) ||
		    parse_prefix(json_string_value(json_object_get(e, "prefix")), &v) == -1 ||
		    !json_is_integer(ml)) {
			bad++;
			continue;
		}
		v.max_len = (uint8_t)json_integer_value(ml);
		v.asn = (uint32_t)asn;
		if (json_integer_value(ml) > 128 || rtr_set_add_vrp(set, &v) == -1)
			bad++;
	}
	arr = json_object_get(root, "aspas");
	json_array_foreach(arr, i, e) {
		json_t *pr = json_object_get(e, "providers");
		size_t n = json_array_size(pr);
		uint32_t *prov = calloc(n + 1, sizeof(*prov));

		asn = json_asn(json_object_get(e, "customer_asid"));
		json_array_foreach(pr, j, p) {
			long long pa = json_asn(p);

			if (pa < 0)
				asn = -1;
			prov[j] = (uint32_t)pa;
		}
		if (asn < 0 || rtr_set_add_aspa(set, (uint32_t)asn, prov, n) == -1)
			bad++;
		free(prov);
	}
	arr = json_object_get(root, "bgpsec_keys");
	json_array_foreach(arr, i, e) {
		const char *ski = json_string_value(json_object_get(e, "ski"));
		const char *key = json_string_value(json_object_get(e, "pubkey"));
		uint8_t skib[RTR_SKI_LEN], *spki;
		int n, k, ok = 1;

		asn = json_asn(json_object_get(e, "asn"));
		if (asn < 0 || ski == NULL || key == NULL || strlen(ski) != 40) {
			bad++;
			continue;
		}
		for (k = 0; k < RTR_SKI_LEN; k++) {
			int hi = hexval(ski[2 * k]), lo = hexval(ski[2 * k + 1]);

			if (hi < 0 || lo < 0)
				ok = 0;
			skib[k] = (uint8_t)(hi << 4 | lo);
		}
		spki = malloc(strlen(key) + 3);
		n = EVP_DecodeBlock(spki, (const unsigned char *)key, (int)strlen(key));
		if (n > 0) {	/* EVP_DecodeBlock counts the padding as zero bytes */
			size_t kl = strlen(key);

			if (kl > 0 && key[kl - 1] == '=')
				n--;
			if (kl > 1 && key[kl - 2] == '=')
				n--;
		}
		if (!ok || n <= 0 || rtr_set_add_router_key(set, skib, (uint32_t)asn, spki,
		    (size_t)n) == -1)
			bad++;
		free(spki);
	}
	json_decref(root);
	if (bad > 0)
		log_warnx("%s: %zu records skipped (malformed)", path, bad);
	log_info("%s: %zu VRPs, %zu ASPAs, %zu router keys", path, set->nvrps, set->naspas,
	    set->nkeys);
	return set;
}

static void
conn_free(struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	rtr_session_free(c->s);
	bufferevent_free(c->bev);
	free(c);
	nconns--;
}

static void
conn_status(struct conn *c, enum rtr_session_status st)
{
	if (st == RTR_SESSION_DROP) {
		conn_free(c);
		return;
	}
	if (st == RTR_SESSION_CLOSE && !c->closing) {
		c->closing = true;
		c->close_at = now_mono() + 10;
		bufferevent_disable(c->bev, EV_READ);
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			conn_free(c);
	}
}

static void
readcb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	conn_status(c, rtr_session_input(c->s, bufferevent_get_input(bev), now_mono()));
}

static void
writecb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			conn_free(c);
		return;
	}
	/* output drained below the high water: read the queries that waited */
	if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		conn_status(c, rtr_session_input(c->s, bufferevent_get_input(bev), now_mono()));
}

static void
eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_free(c);
}

static void
acceptcb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct conn *c;
	char host[INET6_ADDRSTRLEN], name[INET6_ADDRSTRLEN + 8];
	int port = 0, one = 1;

	(void)l;
	(void)salen;
	(void)arg;
	host[0] = '\0';
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in *)(void *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, host, sizeof(host));
		port = ntohs(((struct sockaddr_in6 *)(void *)sa)->sin6_port);
	}
	snprintf(name, sizeof(name), "%s:%d", host, port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = xcalloc(1, sizeof(*c));
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("%s: cannot create a bufferevent", name);
	c->s = rtr_session_new(cache, bufferevent_get_output(c->bev), name);
	bufferevent_setcb(c->bev, readcb, writecb, eventcb, c);
	/* libevent writes 16 KiB per loop iteration by default: far too
	 * little for a 14 MB answer. */
	bufferevent_set_max_single_write(c->bev, 4 * 1024 * 1024);
	bufferevent_setwatermark(c->bev, EV_READ, 0, 64 * 1024);
	bufferevent_setwatermark(c->bev, EV_WRITE, RTR_SESSION_HIGH_WATER, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = conns;
	if (conns != NULL)
		conns->prev = c;
	conns = c;
	nconns++;
}

static void
tickcb(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c, *next;
	time_t now = now_mono();

	(void)fd;
	(void)what;
	(void)arg;
	for (c = conns; c != NULL; c = next) {
		next = c->next;
		if (c->closing) {
			if (now >= c->close_at)
				conn_free(c);
			continue;
		}
		conn_status(c, rtr_session_tick(c->s, now));
	}
}

static void
hupcb(evutil_socket_t fd, short what, void *arg)
{
	struct rtr_set *set;
	struct rtr_cache_stats st;
	int r;

	(void)fd;
	(void)what;
	(void)arg;
	if ((set = load(roa_file)) == NULL)
		return;
	r = rtr_cache_update(cache, set, now_mono());
	rtr_cache_stats(cache, &st);
	log_info("%s: %s; serial %u, %zu sessions", roa_file, r ? "changed" : "unchanged",
	    st.serial, st.sessions);
}

static void
stopcb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: irrd_rtr_test_server [-a ADDR] [-p PORT] [-n NOTIFY_SECONDS] "
	    "[--refresh S] [--retry S] [--expire S] [-v] FILE.json\n"
	    "A test tool: serves the VRPs, ASPAs and router keys of FILE.json over RTR\n"
	    "(versions 0-2) on ADDR:PORT (default 127.0.0.1:3323; port 0 picks one).\n"
	    "SIGHUP re-reads FILE.json and notifies the routers. Not the daemon: bin/irrd\n"
	    "serves RTR in production.\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "refresh", required_argument, NULL, 'R' },
		{ "retry", required_argument, NULL, 'T' },
		{ "expire", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	struct rtr_cache_config cfg = RTR_CACHE_CONFIG_DEFAULT;
	const char *addr = "127.0.0.1";
	int port = 3323, ch;
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	struct evconnlistener *l;
	struct event *tick, *hup, *term, *intr;
	struct timeval one = { 1, 0 };
	struct rtr_set *set;
	char shown[INET6_ADDRSTRLEN];
	struct rusage ru;

	log_init(argv[0]);
	while ((ch = getopt_long(argc, argv, "a:p:n:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			cfg.notify_interval = (unsigned)atoi(optarg);
			break;
		case 'R':
			cfg.refresh = (uint32_t)atoi(optarg);
			break;
		case 'T':
			cfg.retry = (uint32_t)atoi(optarg);
			break;
		case 'E':
			cfg.expire = (uint32_t)atoi(optarg);
			break;
		case 'v':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 1;
	}
	roa_file = argv[optind];
	signal(SIGPIPE, SIG_IGN);
	if ((cache = rtr_cache_new(&cfg)) == NULL)
		fatalx("bad RTR timers");
	if ((set = load(roa_file)) == NULL)
		return 1;
	rtr_cache_update(cache, set, now_mono());
	malloc_trim(0);		/* give back what the JSON tree used */
	memset(&ss, 0, sizeof(ss));
	if (port < 0 || port > 65535)
		fatalx("%d: not a port", port);
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) != 1)
			fatalx("%s: not an address", addr);
		sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, addr, &s4->sin_addr) != 1)
			fatalx("%s: not an address", addr);
		sslen = sizeof(*s4);
	}
	base = event_base_new();
	l = evconnlistener_new_bind(base, acceptcb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
	    1024, (struct sockaddr *)&ss, sslen);
	if (l == NULL)
		fatal("%s:%d: cannot listen", addr, port);
	sslen = sizeof(ss);
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, (socklen_t *)&sslen);
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, shown, sizeof(shown));
		port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, shown, sizeof(shown));
		port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("listening on %s:%d (max RSS so far %ld KiB)\n", shown, port, ru.ru_maxrss);
	fflush(stdout);
	tick = event_new(base, -1, EV_PERSIST, tickcb, NULL);
	event_add(tick, &one);
	hup = evsignal_new(base, SIGHUP, hupcb, NULL);
	event_add(hup, NULL);
	term = evsignal_new(base, SIGTERM, stopcb, NULL);
	event_add(term, NULL);
	intr = evsignal_new(base, SIGINT, stopcb, NULL);
	event_add(intr, NULL);
	event_base_dispatch(base);

	rtr_cache_shutdown(cache, false);
	while (conns != NULL)
		conn_free(conns);
	event_free(tick);
	event_free(hup);
	event_free(term);
	event_free(intr);
	evconnlistener_free(l);
	rtr_cache_free(cache);
	event_base_free(base);
	return 0;
}
