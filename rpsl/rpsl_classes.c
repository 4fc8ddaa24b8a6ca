/*
 * rpsl_classes.c - the 19 object classes of IRRd 4.5 (irrd/rpsl/
 * rpsl_objects.py): their attributes in IRRd's order with mandatory /
 * optional, single / multiple, primary and lookup keys and references,
 * plus the name tables, the metadata calls of rpsl.h and the `-t`
 * templates.
 *
 * Attribute names map to small ids through a hash table built once at
 * start-up; each class maps ids to its field index with a 128-entry array.
 */
#include "rpsl/rpsl_int.h"

#include <stdio.h>
#include <string.h>

#define ATTRS(X) \
	X(A_AS_BLOCK, "as-block") X(A_DESCR, "descr") X(A_ADMIN_C, "admin-c") X(A_TECH_C, "tech-c") \
	X(A_REMARKS, "remarks") X(A_NOTIFY, "notify") X(A_MNT_BY, "mnt-by") X(A_CHANGED, "changed") \
	X(A_SOURCE, "source") X(A_AS_SET, "as-set") X(A_MEMBERS, "members") X(A_MBRS_BY_REF, "mbrs-by-ref") \
	X(A_AUT_NUM, "aut-num") X(A_AS_NAME, "as-name") X(A_MEMBER_OF, "member-of") X(A_IMPORT, "import") \
	X(A_MP_IMPORT, "mp-import") X(A_IMPORT_VIA, "import-via") X(A_EXPORT, "export") \
	X(A_MP_EXPORT, "mp-export") X(A_EXPORT_VIA, "export-via") X(A_DEFAULT, "default") \
	X(A_MP_DEFAULT, "mp-default") X(A_DOMAIN, "domain") X(A_ZONE_C, "zone-c") X(A_NSERVER, "nserver") \
	X(A_SUB_DOM, "sub-dom") X(A_DOM_NET, "dom-net") X(A_REFER, "refer") X(A_FILTER_SET, "filter-set") \
	X(A_FILTER, "filter") X(A_MP_FILTER, "mp-filter") X(A_INET_RTR, "inet-rtr") X(A_ALIAS, "alias") \
	X(A_LOCAL_AS, "local-as") X(A_IFADDR, "ifaddr") X(A_INTERFACE, "interface") X(A_PEER, "peer") \
	X(A_MP_PEER, "mp-peer") X(A_RS_IN, "rs-in") X(A_RS_OUT, "rs-out") X(A_INET6NUM, "inet6num") \
	X(A_NETNAME, "netname") X(A_COUNTRY, "country") X(A_REV_SRV, "rev-srv") X(A_STATUS, "status") \
	X(A_GEOFEED, "geofeed") X(A_INETNUM, "inetnum") X(A_IRT, "irt") X(A_ADDRESS, "address") \
	X(A_PHONE, "phone") X(A_FAX_NO, "fax-no") X(A_E_MAIL, "e-mail") X(A_ABUSE_MAILBOX, "abuse-mailbox") \
	X(A_KEY_CERT, "key-cert") X(A_METHOD, "method") X(A_OWNER, "owner") X(A_FINGERPR, "fingerpr") \
	X(A_CERTIF, "certif") X(A_MNTNER, "mntner") X(A_UPD_TO, "upd-to") X(A_MNT_NFY, "mnt-nfy") \
	X(A_AUTH, "auth") X(A_ORGANISATION, "organisation") X(A_ORG_NAME, "org-name") \
	X(A_PEERING_SET, "peering-set") X(A_PEERING, "peering") X(A_MP_PEERING, "mp-peering") \
	X(A_PERSON, "person") X(A_NIC_HDL, "nic-hdl") X(A_ROLE, "role") X(A_TROUBLE, "trouble") \
	X(A_ROUTE, "route") X(A_ORIGIN, "origin") X(A_HOLES, "holes") X(A_INJECT, "inject") \
	X(A_AGGR_BNDRY, "aggr-bndry") X(A_AGGR_MTD, "aggr-mtd") X(A_EXPORT_COMPS, "export-comps") \
	X(A_COMPONENTS, "components") X(A_GEOIDX, "geoidx") X(A_ROA_URI, "roa-uri") \
	X(A_ROUTE_SET, "route-set") X(A_MP_MEMBERS, "mp-members") X(A_ROUTE6, "route6") \
	X(A_RTR_SET, "rtr-set") X(A_RPKI_OV_STATE, "rpki-ov-state") X(A_LAST_MODIFIED, "last-modified")

#define X_ENUM(id, name) id,
enum attr_id { ATTRS(X_ENUM) A_COUNT };
#define X_NAME(id, name) name,
const char *const attr_names[] = { ATTRS(X_NAME) NULL };

_Static_assert(A_COUNT <= 128, "attribute ids must fit the class index arrays");

int attr_rpki_ov_state(void) { return A_RPKI_OV_STATE; }
int attr_last_modified(void) { return A_LAST_MODIFIED; }

/* Field macros. O optional, M multiple, P primary key, L lookup key. */
#define O FF_OPTIONAL
#define M FF_MULTIPLE
#define P FF_PK
#define L FF_LOOKUP
#define TEXT(a, fl) { a, FK_TEXT, fl, 0, 0, { 0, 0 } }
#define FLD(a, k, fl) { a, k, fl, 0, 0, { 0, 0 } }
#define FLDA(a, k, fl, arg) { a, k, fl, arg, 0, { 0, 0 } }
#define REF1(a, k, fl, r1) { a, k, fl, 0, 1, { r1, 0 } }
#define REF2(a, k, fl, r1, r2) { a, k, fl, 0, 2, { r1, r2 } }
#define CONTACT(a, fl) REF2(a, FK_REF, (fl) | L | M | FF_STRONG, RPSL_ROLE, RPSL_PERSON)
#define MNT_BY(fl) REF1(A_MNT_BY, FK_REF_LIST, (fl) | L | M | FF_STRONG, RPSL_MNTNER)
#define MBRS_BY_REF REF1(A_MBRS_BY_REF, FK_REF_LIST, L | O | M | FF_ALLOW_ANY, RPSL_MNTNER)
#define TAIL_REMARKS_NOTIFY TEXT(A_REMARKS, O | M), FLD(A_NOTIFY, FK_EMAIL, O | M)
#define TAIL_CHANGED_SOURCE FLD(A_CHANGED, FK_CHANGED, O | M), FLD(A_SOURCE, FK_GENERIC, 0)

static struct class_def c_as_block = { "as-block", .fields = {
	FLD(A_AS_BLOCK, FK_AS_BLOCK, P | L), TEXT(A_DESCR, M | O), CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, 0),
	TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_as_set = { "as-set", .fields = {
	FLDA(A_AS_SET, FK_SET_NAME, P | L, PFX_AS), TEXT(A_DESCR, M | O),
	REF2(A_MEMBERS, FK_REF_LIST, L | O | M, RPSL_AUT_NUM, RPSL_AS_SET), MBRS_BY_REF,
	CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_aut_num = { "aut-num", .fields = {
	FLD(A_AUT_NUM, FK_ASN, P | L), FLDA(A_AS_NAME, FK_GENERIC, 0, 1u << PFX_AS), TEXT(A_DESCR, M | O),
	REF1(A_MEMBER_OF, FK_REF_LIST, L | O | M, RPSL_AS_SET), TEXT(A_IMPORT, O | M), TEXT(A_MP_IMPORT, O | M),
	TEXT(A_IMPORT_VIA, O | M), TEXT(A_EXPORT, O | M), TEXT(A_MP_EXPORT, O | M), TEXT(A_EXPORT_VIA, O | M),
	TEXT(A_DEFAULT, O | M), TEXT(A_MP_DEFAULT, O | M), CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, 0),
	TAIL_REMARKS_NOTIFY, MNT_BY(O), TAIL_CHANGED_SOURCE } };

static struct class_def c_domain = { "domain", .fields = {
	TEXT(A_DOMAIN, P | L), TEXT(A_DESCR, M | O), CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, 0),
	CONTACT(A_ZONE_C, 0), TEXT(A_NSERVER, O | M), TEXT(A_SUB_DOM, O | M), TEXT(A_DOM_NET, O | M),
	TEXT(A_REFER, O), TAIL_REMARKS_NOTIFY, MNT_BY(O), TAIL_CHANGED_SOURCE } };

static struct class_def c_filter_set = { "filter-set", .fields = {
	FLDA(A_FILTER_SET, FK_SET_NAME, P | L, PFX_FLTR), TEXT(A_DESCR, M | O), TEXT(A_FILTER, 0),
	TEXT(A_MP_FILTER, O), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0),
	TAIL_CHANGED_SOURCE } };

static struct class_def c_inet_rtr = { "inet-rtr", .fields = {
	FLD(A_INET_RTR, FK_DNS, P | L), TEXT(A_DESCR, M | O), FLD(A_ALIAS, FK_DNS, O | M),
	FLD(A_LOCAL_AS, FK_ASN, 0), TEXT(A_IFADDR, O | M), TEXT(A_INTERFACE, O | M), TEXT(A_PEER, O | M),
	TEXT(A_MP_PEER, O | M), REF1(A_MEMBER_OF, FK_REF_LIST, L | O | M, RPSL_RTR_SET), TEXT(A_RS_IN, O),
	TEXT(A_RS_OUT, O), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0),
	TAIL_CHANGED_SOURCE } };

static struct class_def c_inet6num = { "inet6num", .fields = {
	FLD(A_INET6NUM, FK_IPV6_PREFIX, P | L), TEXT(A_NETNAME, 0), TEXT(A_DESCR, M | O), TEXT(A_COUNTRY, M),
	CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, 0), TEXT(A_REV_SRV, O | M), TEXT(A_STATUS, 0),
	FLD(A_GEOFEED, FK_URL, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_inetnum = { "inetnum", .fields = {
	FLD(A_INETNUM, FK_IPV4_RANGE, P | L), TEXT(A_NETNAME, 0), TEXT(A_DESCR, M | O), TEXT(A_COUNTRY, M),
	CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, 0), TEXT(A_REV_SRV, O | M), TEXT(A_STATUS, 0),
	FLD(A_GEOFEED, FK_URL, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_irt = { "irt", .fields = {
	FLD(A_IRT, FK_GENERIC, P | L), TEXT(A_ADDRESS, M), TEXT(A_PHONE, O | M), TEXT(A_FAX_NO, O | M),
	FLD(A_E_MAIL, FK_EMAIL, M), FLD(A_ABUSE_MAILBOX, FK_EMAIL, M), CONTACT(A_ADMIN_C, O),
	CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_key_cert = { "key-cert", .fields = {
	FLD(A_KEY_CERT, FK_GENERIC, P | L), TEXT(A_METHOD, O), TEXT(A_OWNER, O | M), TEXT(A_FINGERPR, O),
	TEXT(A_CERTIF, M), TEXT(A_REMARKS, O | M), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O),
	FLD(A_NOTIFY, FK_EMAIL, O | M), MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_mntner = { "mntner", .fields = {
	FLD(A_MNTNER, FK_GENERIC, P | L), TEXT(A_DESCR, M | O), CONTACT(A_ADMIN_C, 0), CONTACT(A_TECH_C, O),
	FLD(A_UPD_TO, FK_EMAIL, M), FLD(A_MNT_NFY, FK_EMAIL, O | M), FLD(A_AUTH, FK_AUTH, M),
	TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_organisation = { "organisation", .fields = {
	FLD(A_ORGANISATION, FK_GENERIC, P | L), TEXT(A_ORG_NAME, 0), TEXT(A_COUNTRY, M), TEXT(A_ADDRESS, M),
	TEXT(A_PHONE, O | M), TEXT(A_FAX_NO, O | M), FLD(A_E_MAIL, FK_EMAIL, M), CONTACT(A_ADMIN_C, O),
	CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_peering_set = { "peering-set", .fields = {
	FLDA(A_PEERING_SET, FK_SET_NAME, P | L, PFX_PRNG), TEXT(A_DESCR, M | O), TEXT(A_PEERING, O | M),
	TEXT(A_MP_PEERING, O | M), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0),
	TAIL_CHANGED_SOURCE } };

static struct class_def c_person = { "person", .fields = {
	TEXT(A_PERSON, L), TEXT(A_ADDRESS, M), TEXT(A_PHONE, M), TEXT(A_FAX_NO, O | M),
	FLD(A_E_MAIL, FK_EMAIL, M), FLD(A_NIC_HDL, FK_GENERIC, P | L | FF_NS_ANY), TAIL_REMARKS_NOTIFY,
	MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_role = { "role", .fields = {
	TEXT(A_ROLE, L), TEXT(A_TROUBLE, O | M), TEXT(A_ADDRESS, M), TEXT(A_PHONE, M), TEXT(A_FAX_NO, O | M),
	FLD(A_E_MAIL, FK_EMAIL, M), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O),
	FLD(A_NIC_HDL, FK_GENERIC, P | L | FF_NS_ANY), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

#define ROUTE_FIELDS(pkattr, pkkind, holeskind) \
	FLD(pkattr, pkkind, P | L), TEXT(A_DESCR, M | O), FLD(A_ORIGIN, FK_ASN, P), \
	FLD(A_HOLES, holeskind, O | M), REF1(A_MEMBER_OF, FK_REF_LIST, L | O | M, RPSL_ROUTE_SET), \
	TEXT(A_INJECT, O | M), TEXT(A_AGGR_BNDRY, O), TEXT(A_AGGR_MTD, O), TEXT(A_EXPORT_COMPS, O), \
	TEXT(A_COMPONENTS, O), CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TEXT(A_GEOIDX, O | M), \
	TEXT(A_ROA_URI, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE

static struct class_def c_route = { "route", .discard_rpki = true, .fields = {
	ROUTE_FIELDS(A_ROUTE, FK_IPV4_PREFIX, FK_IPV4_PREFIXES) } };

static struct class_def c_route_set = { "route-set", .fields = {
	FLDA(A_ROUTE_SET, FK_SET_NAME, P | L, PFX_RS), FLDA(A_MEMBERS, FK_RS_MEMBERS, L | O | M, 4),
	FLDA(A_MP_MEMBERS, FK_RS_MEMBERS, L | O | M, 0), MBRS_BY_REF, TEXT(A_DESCR, M | O),
	CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def c_route6 = { "route6", .discard_rpki = true, .fields = {
	ROUTE_FIELDS(A_ROUTE6, FK_IPV6_PREFIX, FK_IPV6_PREFIXES) } };

static struct class_def c_rtr_set = { "rtr-set", .fields = {
	FLDA(A_RTR_SET, FK_SET_NAME, P | L, PFX_RTRS), TEXT(A_DESCR, M | O),
	REF2(A_MEMBERS, FK_REF_LIST, L | O | M, RPSL_INET_RTR, RPSL_RTR_SET),
	REF2(A_MP_MEMBERS, FK_REF_LIST, L | O | M, RPSL_INET_RTR, RPSL_RTR_SET), MBRS_BY_REF,
	CONTACT(A_ADMIN_C, O), CONTACT(A_TECH_C, O), TAIL_REMARKS_NOTIFY, MNT_BY(0), TAIL_CHANGED_SOURCE } };

static struct class_def *const classes_rw[RPSL_CLASS_COUNT] = {
	&c_as_block, &c_as_set, &c_aut_num, &c_domain, &c_filter_set, &c_inet_rtr, &c_inet6num, &c_inetnum,
	&c_irt, &c_key_cert, &c_mntner, &c_organisation, &c_peering_set, &c_person, &c_role, &c_route,
	&c_route_set, &c_route6, &c_rtr_set,
};

const struct class_def *const class_defs[RPSL_CLASS_COUNT] = {
	&c_as_block, &c_as_set, &c_aut_num, &c_domain, &c_filter_set, &c_inet_rtr, &c_inet6num, &c_inetnum,
	&c_irt, &c_key_cert, &c_mntner, &c_organisation, &c_peering_set, &c_person, &c_role, &c_route,
	&c_route_set, &c_route6, &c_rtr_set,
};

/* ---------------------------------------------------------------- tables */

#define HASH_SIZE 512
static int16_t attr_hash[HASH_SIZE];
static int8_t class_of_attr[A_COUNT];
static const char *lookup_lists[RPSL_CLASS_COUNT][MAX_FIELDS + 1];
static const char *pk_lists[RPSL_CLASS_COUNT][3];
static char *templates[RPSL_CLASS_COUNT];
static char template_buf[RPSL_CLASS_COUNT][2048];

static uint32_t name_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static uint8_t attr_len[A_COUNT];

int attr_lookup(const char *name, size_t len)
{
	uint32_t h = name_hash(name, len) & (HASH_SIZE - 1);

	for (;;) {
		int id = attr_hash[h];
		if (id < 0)
			return -1;
		if (attr_len[id] == len && memcmp(attr_names[id], name, len) == 0)
			return id;
		h = (h + 1) & (HASH_SIZE - 1);
	}
}

enum rpsl_class class_lookup_exact(const char *name, size_t len)
{
	int id = attr_lookup(name, len);

	return id < 0 ? RPSL_CLASS_UNKNOWN : (enum rpsl_class)class_of_attr[id];
}

static void build_template(enum rpsl_class cls)
{
	const struct class_def *cd = class_defs[cls];
	char *out = template_buf[cls];
	size_t o = 0, width = 0;

	for (int i = 0; i < cd->nfields; i++) {
		size_t l = strlen(attr_names[cd->fields[i].attr]);
		if (l > width)
			width = l;
	}
	for (int i = 0; i < cd->nfields; i++) {
		const struct field_def *f = &cd->fields[i];
		const char *name = attr_names[f->attr];
		char meta[128];
		size_t m = 0;

		meta[0] = '\0';
		if ((f->flags & FF_PK) && (f->flags & FF_LOOKUP))
			m += (size_t)snprintf(meta + m, sizeof(meta) - m, "primary/look-up key");
		else if (f->flags & FF_PK)
			m += (size_t)snprintf(meta + m, sizeof(meta) - m, "primary key");
		else if (f->flags & FF_LOOKUP)
			m += (size_t)snprintf(meta + m, sizeof(meta) - m, "look-up key");
		if (f->nrefs > 0) {
			m += (size_t)snprintf(meta + m, sizeof(meta) - m, "%s%s references %s", m ? ", " : "",
					      (f->flags & FF_STRONG) ? "strong" : "weak", class_defs[f->refs[0]]->name);
			for (int r = 1; r < f->nrefs; r++)
				m += (size_t)snprintf(meta + m, sizeof(meta) - m, "/%s", class_defs[f->refs[r]]->name);
		}
		o += (size_t)snprintf(out + o, sizeof(template_buf[cls]) - o, "%s: %*s  %s  %s  [%s]\n", name,
				      (int)(width - strlen(name)), "",
				      (f->flags & FF_OPTIONAL) ? "[optional] " : "[mandatory]",
				      (f->flags & FF_MULTIPLE) ? "[multiple]" : "[single]  ", meta);
	}
	templates[cls] = out;
}

__attribute__((constructor)) static void classes_init(void)
{
	memset(attr_hash, 0xff, sizeof(attr_hash));
	for (int id = 0; id < A_COUNT; id++) {
		uint32_t h = name_hash(attr_names[id], strlen(attr_names[id])) & (HASH_SIZE - 1);
		while (attr_hash[h] >= 0)
			h = (h + 1) & (HASH_SIZE - 1);
		attr_hash[h] = (int16_t)id;
		attr_len[id] = (uint8_t)strlen(attr_names[id]);
		class_of_attr[id] = RPSL_CLASS_UNKNOWN;
	}
	for (int c = 0; c < RPSL_CLASS_COUNT; c++) {
		struct class_def *cd = classes_rw[c];
		int nl = 0;

		memset(cd->index, 0xff, sizeof(cd->index));
		cd->pklookup_field = -1;
		for (int i = 0; i < MAX_FIELDS && (i == 0 || cd->fields[i].attr != 0); i++) {
			struct field_def *f = &cd->fields[i];

			cd->nfields = (uint8_t)(i + 1);
			cd->index[f->attr] = (int8_t)i;
			if (f->flags & FF_PK) {
				pk_lists[c][cd->npk] = attr_names[f->attr];
				cd->pk[cd->npk++] = (uint8_t)i;
			}
			if ((f->flags & FF_PK) && (f->flags & FF_LOOKUP) && cd->pklookup_field < 0)
				cd->pklookup_field = (int8_t)i;
			if (f->flags & FF_LOOKUP)
				lookup_lists[c][nl++] = attr_names[f->attr];
			if (f->attr == A_SOURCE)
				cd->source_field = (uint8_t)i;
		}
		lookup_lists[c][nl] = NULL;
		pk_lists[c][cd->npk] = NULL;
		cd->lookup_names = lookup_lists[c];
		cd->pk_names = pk_lists[c];
		class_of_attr[cd->fields[0].attr] = (int8_t)c;
	}
	for (int c = 0; c < RPSL_CLASS_COUNT; c++)
		build_template((enum rpsl_class)c);
}

/* ---------------------------------------------------------------- public */

static const char *const class_names[RPSL_CLASS_COUNT] = {
	"as-block", "as-set", "aut-num", "domain", "filter-set", "inet-rtr", "inet6num", "inetnum", "irt",
	"key-cert", "mntner", "organisation", "peering-set", "person", "role", "route", "route-set", "route6",
	"rtr-set",
};

const char *rpsl_class_name(enum rpsl_class cls)
{
	if ((int)cls < 0 || cls >= RPSL_CLASS_COUNT)
		return NULL;
	return class_names[cls];
}

enum rpsl_class rpsl_class_lookup(const char *name, size_t len)
{
	char buf[16];

	if (len == 0 || len >= sizeof(buf))
		return RPSL_CLASS_UNKNOWN;
	memcpy(buf, name, len);
	str_lower_inplace(buf, len);
	return class_lookup_exact(buf, len);
}

const char *rpki_state_name(enum rpki_state s)
{
	switch (s) {
	case RPKI_VALID:
		return "valid";
	case RPKI_INVALID:
		return "invalid";
	default:
		return "not_found";
	}
}

static int field_of(enum rpsl_class cls, const char *attr)
{
	size_t len;
	int id;

	if ((int)cls < 0 || cls >= RPSL_CLASS_COUNT || attr == NULL)
		return -1;
	len = strlen(attr);
	id = attr_lookup(attr, len);
	if (id < 0)
		return -1;
	return class_defs[cls]->index[id];
}

bool rpsl_class_has_attr(enum rpsl_class cls, const char *attr)
{
	return field_of(cls, attr) >= 0;
}

bool rpsl_attr_is_lookup(enum rpsl_class cls, const char *attr)
{
	int f = field_of(cls, attr);

	return f >= 0 && (class_defs[cls]->fields[f].flags & FF_LOOKUP);
}

const char *const *rpsl_lookup_attrs(enum rpsl_class cls)
{
	if ((int)cls < 0 || cls >= RPSL_CLASS_COUNT)
		return NULL;
	return class_defs[cls]->lookup_names;
}

const char *const *rpsl_pk_attrs(enum rpsl_class cls)
{
	if ((int)cls < 0 || cls >= RPSL_CLASS_COUNT)
		return NULL;
	return class_defs[cls]->pk_names;
}

size_t rpsl_attr_referring(enum rpsl_class cls, const char *attr, enum rpsl_class refs[2], bool *strong)
{
	int fi = field_of(cls, attr);
	const struct field_def *f;

	if (fi < 0)
		return 0;
	f = &class_defs[cls]->fields[fi];
	for (int i = 0; i < f->nrefs; i++)
		refs[i] = (enum rpsl_class)f->refs[i];
	if (strong)
		*strong = (f->flags & FF_STRONG) != 0;
	return f->nrefs;
}

const char *rpsl_template(enum rpsl_class cls)
{
	if ((int)cls < 0 || cls >= RPSL_CLASS_COUNT)
		return NULL;
	return templates[cls];
}
