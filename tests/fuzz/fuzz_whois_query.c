/*
 * fuzz_whois_query.c - libFuzzer target: arbitrary query lines to a whois
 * session over a small index (the objects below, in two sources, with
 * RPKI-aware mode on). The input is split on '\n' and each line answered in
 * turn by one session. A line starting with 0x01 instead adds the rest of
 * the input (up to a 0x02 byte) as an object to the index; objects added
 * that way are removed again at the end, so the index stays as it was.
 * Seeds: tests/data/whois (queries.txt holds one query per line).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "conf/conf.h"
#include "rpsl/log.h"
#include "rpsl/rpsl.h"
#include "whois/whois.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const objects[] = {
	"mntner: TEST-MNT\nauth: MD5-PW $1$fgW84Y9r$kKEn9MUq8PChNKpQhO6BM.\nmnt-by: TEST-MNT\nsource: TEST\n",
	"person: Test Person\nnic-hdl: PERSON-TEST\nmnt-by: TEST-MNT\nsource: TEST\n",
	"role: Test Role\nnic-hdl: ROLE-TEST\nmnt-by: TEST-MNT\nsource: TEST\n",
	"as-block: AS65500 - AS65599\nmnt-by: TEST-MNT\nsource: TEST\n",
	"aut-num: AS65530\nas-name: A\nmember-of: AS-BYREF, AS-ANY\nmnt-by: TEST-MNT\nsource: TEST\n",
	"aut-num: AS65531\nas-name: B\nmember-of: AS-BYREF\nmnt-by: OTHER-MNT\nsource: TEST\n",
	"as-set: AS-TEST\nmembers: AS65530, AS-SUB\nmnt-by: TEST-MNT\nsource: TEST\n",
	"as-set: AS-SUB\nmembers: AS65531, AS-TEST, AS-MISSING, AS65532\nmnt-by: TEST-MNT\nsource: TEST\n",
	"as-set: AS-BYREF\nmbrs-by-ref: TEST-MNT\nmnt-by: TEST-MNT\nsource: TEST\n",
	"as-set: AS-ANY\nmembers: AS65533\nmbrs-by-ref: ANY\nmnt-by: TEST-MNT\nsource: TEST\n",
	"as-set: AS-TEST\nmembers: AS65535\nmnt-by: TEST-MNT\nsource: TEST2\n",
	"route: 192.0.2.0/24\norigin: AS65530\nmember-of: RS-TEST\nmnt-by: TEST-MNT\nsource: TEST\n",
	"route: 192.0.2.0/25\norigin: AS65530\nmember-of: RS-TEST\nmnt-by: TEST-MNT\nsource: TEST\n",
	"route: 192.0.2.128/25\norigin: AS65531\nmnt-by: OTHER-MNT\nsource: TEST\n",
	"route: 10.0.0.0/8\norigin: AS65532\nmnt-by: TEST-MNT\nsource: TEST\n",
	"route: 10.1.2.0/24\norigin: AS65533\nmnt-by: TEST-MNT\nsource: TEST\n",
	"route: 192.0.2.0/24\norigin: AS65530\nmnt-by: TEST-MNT\nsource: TEST2\n",
	"route6: 2001:db8::/32\norigin: AS65530\nmnt-by: TEST-MNT\nsource: TEST\n",
	"route6: 2001:db8:1::/48\norigin: AS65531\nmember-of: RS-TEST\nmnt-by: TEST-MNT\nsource: TEST\n",
	("route-set: RS-TEST\nmembers: 192.0.2.0/24^+, AS65533, RS-SUB\nmp-members: 2001:db8::/32^48\n"
	 "mbrs-by-ref: TEST-MNT\nmnt-by: TEST-MNT\nsource: TEST\n"),
	"route-set: RS-SUB\nmembers: 203.0.113.0/24^25-26, RS-TEST, AS-SUB\nmnt-by: TEST-MNT\nsource: TEST\n",
	"inetnum: 192.0.2.0 - 192.0.2.255\nnetname: N\nmnt-by: TEST-MNT\nsource: TEST\n",
	"inetnum: 192.0.2.10 - 192.0.2.20\nnetname: N\nmnt-by: TEST-MNT\nsource: TEST\n",
};

static struct whois_index *idx;
static struct cfg cfg;
static struct cfg_source sources[2];
static char *defaults[] = { "TEST", "TEST2" };
static struct whois_source_status status[1];
static struct whois_context ctx;

static void init(void)
{
	log_set_level(LOG_LVL_CRITICAL);
	idx = whois_index_new();
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		struct rpsl_object *o = rpsl_parse(objects[i], strlen(objects[i]), RPSL_NONSTRICT, NULL);
		whois_index_put(idx, o, objects[i], strlen(objects[i]), i == 12 ? RPKI_INVALID : RPKI_NOT_FOUND);
		rpsl_object_free(o);
	}
	sources[0].name = "TEST";
	sources[0].keep_journal = true;
	sources[1].name = "TEST2";
	cfg.sources = sources;
	cfg.nsources = 2;
	cfg.sources_default = defaults;
	cfg.nsources_default = 2;
	cfg.rpki_enabled = true;
	status[0] = (struct whois_source_status){ .source = "TEST", .serial_oldest_journal = 1,
		.serial_newest_journal = 2, .serial_last_export = -1, .serial_newest_mirror = -1 };
	ctx.cfg = &cfg;
	ctx.idx = idx;
	ctx.status = status;
	ctx.nstatus = 1;
	ctx.version = "fuzz";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpsl_object *added[8];
	size_t nadded = 0;

	if (idx == NULL)
		init();
	struct whois_session *s = whois_session_new(&ctx);
	struct ip_addr peer = { .family = IP_AF4, .a = { 127, 0, 0, 1 } };
	whois_session_set_peer(s, &peer);
	struct evbuffer *out = evbuffer_new();
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		if (*p == '\x01') {
			const char *stop = memchr(p + 1, '\x02', (size_t)(end - p - 1));
			size_t len = (size_t)((stop ? stop : end) - (p + 1));
			char *text = malloc(len + 1);
			memcpy(text, p + 1, len);
			text[len] = '\0';
			struct rpsl_object *o = rpsl_parse(text, len, RPSL_NONSTRICT, "TEST");
			if (nadded < 8 && o->pk && o->source && o->cls != RPSL_CLASS_UNKNOWN) {
				whois_index_put(idx, o, text, len, (enum rpki_state)(len % 3));
				added[nadded++] = o;
			} else {
				rpsl_object_free(o);
			}
			free(text);
			p = stop ? stop + 1 : end;
			continue;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		whois_session_query(s, p, len, out);
		evbuffer_drain(out, evbuffer_get_length(out));
		p = nl ? nl + 1 : end;
	}
	evbuffer_free(out);
	whois_session_free(s);
	/* Restore the index: remove what this input added (an addition may
	 * have replaced one of the base objects; put those back). */
	for (size_t i = 0; i < nadded; i++) {
		whois_index_del(idx, added[i]->source, added[i]->cls, added[i]->pk);
		rpsl_object_free(added[i]);
	}
	if (nadded > 0 && whois_index_count(idx) != sizeof(objects) / sizeof(objects[0])) {
		whois_index_free(idx);
		idx = NULL;
	}
	return 0;
}
