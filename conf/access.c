/*
 * access.c - addresses and prefixes in the config (interfaces, access
 * lists, scopefilter), and access list matching.
 */
#include "conf/conf_int.h"

#include <arpa/inet.h>
#include <string.h>

#include "conf/conf.h"
#include "rpsl/prefix.h"

int cfg_addr_parse(const char *s, struct ip_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, out->a) != 1)
			return -1;
		out->family = IP_AF6;
		return 0;
	}
	if (inet_pton(AF_INET, s, out->a) != 1)
		return -1;
	out->family = IP_AF4;
	return 0;
}

int cfg_prefix_parse(const char *s, struct ip_prefix *out)
{
	struct ip_addr a;
	const char *slash = strchr(s, '/');
	char host[INET6_ADDRSTRLEN + 1];
	unsigned len, max;

	memset(out, 0, sizeof(*out));
	if (slash == NULL) {
		if (cfg_addr_parse(s, &a) < 0)
			return -1;
		len = ip_maxlen(a.family);
	} else {
		const char *p = slash + 1;
		size_t hl = (size_t)(slash - s);
		if (hl == 0 || hl >= sizeof(host) || *p == '\0' || strlen(p) > 3)
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (cfg_addr_parse(host, &a) < 0)
			return -1;
		for (len = 0; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			len = len * 10 + (unsigned)(*p - '0');
		}
	}
	max = ip_maxlen(a.family);
	if (len > max)
		return -1;
	/* Host bits must be zero, as IRRd (IPy) demands. */
	for (unsigned i = len; i < max; i++)
		if (ip_bit(a.a, i))
			return -1;
	out->family = a.family;
	out->len = (uint8_t)len;
	memcpy(out->a, a.a, sizeof(out->a));
	return 0;
}

bool cfg_prefix_match(const struct ip_prefix *p, const struct ip_addr *a)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != a->family)
		return false;
	if (memcmp(p->a, a->a, full) != 0)
		return false;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((p->a[full] & mask) != (a->a[full] & mask))
			return false;
	}
	return true;
}

const struct cfg_access_list *cfg_access_list_find(const struct cfg *cfg, const char *name)
{
	if (cfg == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->naccess_lists; i++)
		if (strcmp(cfg->access_lists[i].name, name) == 0)
			return &cfg->access_lists[i];
	return NULL;
}

bool cfg_access_allowed(const struct cfg *cfg, const char *list, const struct ip_addr *addr)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const struct cfg_access_list *al;
	struct ip_addr v4;
	bool is_mapped;

	if (list == NULL)
		return true;
	if ((al = cfg_access_list_find(cfg, list)) == NULL || addr == NULL)
		return false;
	/* An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d. */
	is_mapped = addr->family == IP_AF6 && memcmp(addr->a, mapped, sizeof(mapped)) == 0;
	if (is_mapped) {
		memset(&v4, 0, sizeof(v4));
		v4.family = IP_AF4;
		memcpy(v4.a, addr->a + 12, 4);
	}
	for (size_t i = 0; i < al->nprefixes; i++) {
		if (cfg_prefix_match(&al->prefixes[i], addr))
			return true;
		if (is_mapped && cfg_prefix_match(&al->prefixes[i], &v4))
			return true;
	}
	return false;
}
