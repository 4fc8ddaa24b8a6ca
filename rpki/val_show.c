/*
 * val_show.c - the validator's one-file mode (cf. rpki-client -f): parse a
 * single object and print what it holds. No chain is built; the object's
 * own syntax and CMS signature are checked, and its validity period
 * against the given time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rpki/val_int.h"
#include "rpsl/log.h"

static const char *ext_of(const char *fn)
{
	const char *dot = strrchr(fn, '.');
	const char *slash = strrchr(fn, '/');
	if (dot == NULL || (slash != NULL && dot < slash))
		return "";
	return dot + 1;
}

/* An address range as a prefix if it is one, else "min-max". */
static void print_range(FILE *f, uint8_t family, const struct val_ipr *r)
{
	unsigned width = family == IP_AF4 ? 32 : 128, plen;
	struct ip_prefix p = { .family = family };
	uint8_t min[16], max[16];
	char a[IP_PREFIX_STRLEN], b[IP_PREFIX_STRLEN];

	for (plen = 0; plen <= width; plen++) {
		memset(p.a, 0, sizeof(p.a));
		memcpy(p.a, r->min, width / 8);
		p.len = (uint8_t)plen;
		/* host bits of min must be clear for a prefix of this length */
		bool clear = true;
		for (unsigned i = plen; i < width; i++)
			if (ip_bit(r->min, i))
				clear = false;
		if (!clear)
			continue;
		for (unsigned i = plen; i < width; i++)
			p.a[i >> 3] &= (uint8_t)~(0x80 >> (i & 7));
		val_prefix_range(&p, min, max);
		if (memcmp(max, r->max, 16) == 0) {
			fprintf(f, "%s", ip_prefix_format(&p, a, sizeof(a)));
			return;
		}
	}
	struct ip_addr x = { .family = family }, y = { .family = family };
	memcpy(x.a, r->min, 16);
	memcpy(y.a, r->max, 16);
	fprintf(f, "%s-%s", ip_addr_format(&x, a, sizeof(a)), ip_addr_format(&y, b, sizeof(b)));
}

static void print_res(FILE *f, const struct val_res *r)
{
	if (r->ip_ext) {
		fprintf(f, "IPv4 resources:          ");
		if (r->v4_inherit)
			fprintf(f, "inherit");
		for (size_t i = 0; i < r->nv4; i++) {
			fprintf(f, i ? ", " : "");
			print_range(f, IP_AF4, &r->v4[i]);
		}
		fprintf(f, "\nIPv6 resources:          ");
		if (r->v6_inherit)
			fprintf(f, "inherit");
		for (size_t i = 0; i < r->nv6; i++) {
			fprintf(f, i ? ", " : "");
			print_range(f, IP_AF6, &r->v6[i]);
		}
		fprintf(f, "\n");
	}
	if (r->as_ext) {
		fprintf(f, "AS resources:            ");
		if (r->as_inherit)
			fprintf(f, "inherit");
		for (size_t i = 0; i < r->nas; i++) {
			if (r->as[i].min == r->as[i].max)
				fprintf(f, "%sAS%u", i ? ", " : "", r->as[i].min);
			else
				fprintf(f, "%sAS%u-AS%u", i ? ", " : "", r->as[i].min, r->as[i].max);
		}
		fprintf(f, "\n");
	}
}

static void print_cert(FILE *f, const struct val_cert *c, int64_t now)
{
	char b[64];

	fprintf(f, "Certificate purpose:     %s\n",
		c->purpose == VAL_CERT_CA ? "CA" : c->purpose == VAL_CERT_ROUTER ? "BGPsec router" : "EE");
	fprintf(f, "Subject key identifier:  %s\n", val_ski_text(c->ski, b, sizeof(b)));
	if (c->has_aki)
		fprintf(f, "Authority key identifier: %s\n", val_ski_text(c->aki, b, sizeof(b)));
	fprintf(f, "Serial:                  ");
	{
		size_t i = 0;
		while (i < 19 && c->serial[i] == 0)
			i++;
		for (; i < 20; i++)
			fprintf(f, "%02X", c->serial[i]);
	}
	fprintf(f, "\nNot before:              %s\n", val_time_text(c->not_before, b, sizeof(b)));
	fprintf(f, "Not after:               %s\n", val_time_text(c->not_after, b, sizeof(b)));
	if (c->aia)
		fprintf(f, "Authority info access:   %s\n", c->aia);
	if (c->crldp)
		fprintf(f, "CRL distribution point:  %s\n", c->crldp);
	if (c->repo)
		fprintf(f, "caRepository:            %s\n", c->repo);
	if (c->mft)
		fprintf(f, "Manifest:                %s\n", c->mft);
	if (c->notify)
		fprintf(f, "Notify URL:              %s\n", c->notify);
	if (c->signed_object)
		fprintf(f, "Signed object:           %s\n", c->signed_object);
	print_res(f, &c->res);
	if (now) {
		if (now < c->not_before)
			fprintf(f, "Validity:                not yet valid\n");
		else if (now > c->not_after)
			fprintf(f, "Validity:                expired\n");
		else
			fprintf(f, "Validity:                current\n");
	}
}

static int show_tal(const uint8_t *buf, size_t len, const char *fn, FILE *f)
{
	struct val_tal *t = val_tal_parse((const char *)buf, len, fn);

	if (t == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    TAL\nTrust anchor name:       %s\n",
		fn, t->name);
	for (size_t i = 0; i < t->nuris; i++)
		fprintf(f, "Trust anchor location:   %s\n", t->uris[i]);
	fprintf(f, "Public key:              %zu bytes\n", t->spki_len);
	val_tal_free(t);
	return 0;
}

static int show_cer(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_cert *c = val_cert_parse(buf, len, fn);

	if (c == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    certificate\n", fn);
	print_cert(f, c, now);
	val_cert_free(c);
	return 0;
}

static int show_crl(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_crl *crl = val_crl_parse(buf, len, fn);
	char b[64];

	if (crl == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    CRL\n", fn);
	fprintf(f, "Authority key identifier: %s\n", val_ski_text(crl->aki, b, sizeof(b)));
	fprintf(f, "This update:             %s\n", val_time_text(crl->this_update, b, sizeof(b)));
	fprintf(f, "Next update:             %s\n", val_time_text(crl->next_update, b, sizeof(b)));
	fprintf(f, "Revoked certificates:    %zu\n", crl->nrevoked);
	if (now)
		fprintf(f, "Validity:                %s\n", now > crl->next_update ? "stale" :
			now < crl->this_update ? "not yet valid" : "current");
	val_crl_free(crl);
	return 0;
}

static void print_so(FILE *f, const struct val_signed *so, int64_t now)
{
	char b[64];
	if (so->has_signing_time)
		fprintf(f, "Signing time:            %s\n", val_time_text(so->signing_time, b, sizeof(b)));
	fprintf(f, "EE certificate:\n");
	print_cert(f, so->ee, now);
}

static int show_mft(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_mft *m = val_mft_parse(buf, len, fn);
	char b[65];

	if (m == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    manifest\n", fn);
	fprintf(f, "Manifest number:         ");
	{
		size_t i = 0;
		while (i < 19 && m->number[i] == 0)
			i++;
		for (; i < 20; i++)
			fprintf(f, "%02X", m->number[i]);
	}
	fprintf(f, "\nThis update:             %s\n", val_time_text(m->this_update, b, sizeof(b)));
	fprintf(f, "Next update:             %s\n", val_time_text(m->next_update, b, sizeof(b)));
	if (now)
		fprintf(f, "Manifest validity:       %s\n", now > m->next_update ? "stale" :
			now < m->this_update ? "not yet valid" : "current");
	fprintf(f, "Files:                   %zu\n", m->nfiles);
	for (size_t i = 0; i < m->nfiles; i++) {
		val_hex(m->files[i].hash, 32, b);
		fprintf(f, "  %5zu: %s %s\n", i + 1, m->files[i].name, b);
	}
	print_so(f, &m->so, now);
	val_mft_free(m);
	return 0;
}

static int show_roa(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_roa *r = val_roa_parse(buf, len, fn);
	char b[IP_PREFIX_STRLEN];
	int rc = 0;

	if (r == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    ROA\nasID:                    %u\n", fn,
		r->asid);
	for (size_t i = 0; i < r->nips; i++)
		fprintf(f, "  %5zu: %s maxlen: %u\n", i + 1, ip_prefix_format(&r->ips[i].prefix, b, sizeof(b)),
			r->ips[i].maxlen);
	if (val_roa_check_ee(r, fn) < 0) {
		fprintf(f, "Prefixes within EE:      no\n");
		rc = -1;
	}
	print_so(f, &r->so, now);
	val_roa_free(r);
	return rc;
}

static void print_aspa(FILE *f, const struct val_aspa *a)
{
	fprintf(f, "Profile version:         %d\nCustomer AS:             %u\nProviders:               %zu\n",
		a->profile, a->customer, a->nproviders);
	for (size_t i = 0; i < a->nproviders; i++)
		fprintf(f, "  %5zu: AS%u%s\n", i + 1, a->providers[i],
			a->afi[i] == 1 ? " (IPv4 only)" : a->afi[i] == 2 ? " (IPv6 only)" : "");
}

static int show_aspa(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_aspa *a = val_aspa_parse(buf, len, fn);
	int rc = 0;

	if (a == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    ASPA\n", fn);
	print_aspa(f, a);
	if (val_aspa_check_ee(a, fn) < 0)
		rc = -1;
	print_so(f, &a->so, now);
	val_aspa_free(a);
	return rc;
}

static int show_geofeed(const uint8_t *buf, size_t len, const char *fn, int64_t now, FILE *f)
{
	struct val_geofeed *g = val_geofeed_parse((const char *)buf, len, fn);
	char b[IP_PREFIX_STRLEN];
	int rc = 0;

	if (g == NULL)
		return -1;
	fprintf(f, "File:                    %s\nType:                    signed geofeed (RFC 9632)\n"
		"Prefixes:                %zu\n", fn, g->nprefixes);
	for (size_t i = 0; i < g->nprefixes; i++)
		fprintf(f, "  %5zu: %s\n", i + 1, ip_prefix_format(&g->prefixes[i], b, sizeof(b)));
	if (val_geofeed_check_ee(g, fn) < 0)
		rc = -1;
	print_so(f, &g->so, now);
	val_geofeed_free(g);
	return rc;
}

/* RRDP documents: notification, else snapshot, else delta (parsed only). */
static int show_xml(const uint8_t *buf, size_t len, const char *fn, FILE *f)
{
	struct val_rrdp_notification n;
	int rc;

	val_log_quiet(true);
	rc = val_rrdp_parse_notification(buf, len, fn, &n);
	val_log_quiet(false);
	if (rc == 0) {
		fprintf(f, "File:                    %s\nType:                    RRDP notification\n"
			"Session:                 %s\nSerial:                  %llu\nSnapshot:                %s\n"
			"Deltas:                  %zu\n", fn, n.session, (unsigned long long)n.serial, n.snapshot_uri,
			n.ndeltas);
		val_rrdp_notification_clear(&n);
		return 0;
	}
	val_log_quiet(true);
	rc = val_rrdp_apply_buffer(buf, len, fn, NULL, false, NULL, 0);
	val_log_quiet(false);
	if (rc == 0) {
		fprintf(f, "File:                    %s\nType:                    RRDP snapshot\n", fn);
		return 0;
	}
	if (val_rrdp_apply_buffer(buf, len, fn, NULL, true, NULL, 0) == 0) {
		fprintf(f, "File:                    %s\nType:                    RRDP delta\n", fn);
		return 0;
	}
	return -1;
}

/* Other signed objects: the CMS layer and the EE certificate only. */
static int show_other(const uint8_t *buf, size_t len, const char *fn, const char *oid, size_t oidlen,
		      const char *type, int64_t now, FILE *f)
{
	struct val_signed so;

	if (val_cms_parse(buf, len, fn, oid, oidlen, &so) < 0)
		return -1;
	fprintf(f, "File:                    %s\nType:                    %s\neContent:                %zu bytes "
		"(not interpreted)\n", fn, type, so.econtent_len);
	print_so(f, &so, now);
	val_signed_clear(&so);
	return 0;
}
#define SHOW_OTHER(oid, type) show_other(buf, len, fn, oid, sizeof(oid) - 1, type, now, f)

/* Bare eContent (e.g. test vectors): ASPA, then ROA, then manifest. */
static int show_econtent(const uint8_t *buf, size_t len, const char *fn, FILE *f)
{
	struct val_aspa a;
	struct val_roa r;
	char b[IP_PREFIX_STRLEN];

	memset(&a, 0, sizeof(a));
	val_log_quiet(true);
	int rc = val_aspa_econtent(buf, len, fn, &a);
	val_log_quiet(false);
	if (rc == 0) {
		fprintf(f, "File:                    %s\nType:                    ASPA eContent\n", fn);
		print_aspa(f, &a);
		free(a.providers);
		free(a.afi);
		return 0;
	}
	free(a.providers);
	free(a.afi);
	memset(&r, 0, sizeof(r));
	if (val_roa_econtent(buf, len, fn, &r) == 0) {
		fprintf(f, "File:                    %s\nType:                    ROA eContent\nasID: %u\n", fn, r.asid);
		for (size_t i = 0; i < r.nips; i++)
			fprintf(f, "  %5zu: %s maxlen: %u\n", i + 1,
				ip_prefix_format(&r.ips[i].prefix, b, sizeof(b)), r.ips[i].maxlen);
		free(r.ips);
		return 0;
	}
	free(r.ips);
	return -1;
}

int val_file_show(const uint8_t *buf, size_t len, const char *fn, time_t now, FILE *f)
{
	const char *ext = ext_of(fn);
	char oid[64];

	if (strcasecmp(ext, "tal") == 0)
		return show_tal(buf, len, fn, f);
	if (strcasecmp(ext, "cer") == 0)
		return show_cer(buf, len, fn, now, f);
	if (strcasecmp(ext, "crl") == 0)
		return show_crl(buf, len, fn, now, f);
	if (strcasecmp(ext, "mft") == 0)
		return show_mft(buf, len, fn, now, f);
	if (strcasecmp(ext, "roa") == 0)
		return show_roa(buf, len, fn, now, f);
	if (strcasecmp(ext, "asa") == 0)
		return show_aspa(buf, len, fn, now, f);
	if (strcasecmp(ext, "csv") == 0)
		return show_geofeed(buf, len, fn, now, f);
	if (strcasecmp(ext, "xml") == 0)
		return show_xml(buf, len, fn, f);
	/* Anything else: by content. */
	if (val_cms_content_type(buf, len, oid, sizeof(oid)) != NULL) {
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.26") == 0)
			return show_mft(buf, len, fn, now, f);
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.24") == 0)
			return show_roa(buf, len, fn, now, f);
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.49") == 0)
			return show_aspa(buf, len, fn, now, f);
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.35") == 0)
			return SHOW_OTHER(OID_CT_GBR, "Ghostbusters record (RFC 6493)");
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.48") == 0)
			return SHOW_OTHER(OID_CT_RSC, "RPKI Signed Checklist (RFC 9323)");
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.50") == 0)
			return SHOW_OTHER(OID_CT_TAK, "Trust Anchor Key (RFC 9691)");
		if (strcmp(oid, "1.2.840.113549.1.9.16.1.51") == 0)
			return SHOW_OTHER(OID_CT_SPL, "Signed Prefix List");
		fprintf(f, "File:                    %s\nType:                    signed object, eContentType %s "
			"(not supported)\n", fn, oid);
		return -1;
	}
	if (show_econtent(buf, len, fn, f) == 0)
		return 0;
	val_warnx("%s: unsupported file type", fn);
	return -1;
}
