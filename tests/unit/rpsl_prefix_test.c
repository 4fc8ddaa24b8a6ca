/* rpsl_prefix_test.c - prefix.c: address and prefix parsing, RFC 5952
 * output, first/last, covers, ordering, AS numbers (asplain and asdot). */
#include <string.h>

#include "rpsl/prefix.h"
#include "tests/unit/testlib.h"

static const char *fmt_addr(const char *in)
{
	static char buf[IP_PREFIX_STRLEN];
	struct ip_addr a;

	if (ip_addr_parse(in, strlen(in), &a) < 0)
		return "ERR";
	return ip_addr_format(&a, buf, sizeof(buf));
}

static const char *fmt_prefix(const char *in, bool strict)
{
	static char buf[IP_PREFIX_STRLEN];
	struct ip_prefix p;

	if (ip_prefix_parse(in, strlen(in), &p, strict) < 0)
		return "ERR";
	return ip_prefix_format(&p, buf, sizeof(buf));
}

static void test_ipv4(void)
{
	CHECK_STR(fmt_addr("192.0.2.1"), "192.0.2.1");
	CHECK_STR(fmt_addr("0.0.0.0"), "0.0.0.0");
	CHECK_STR(fmt_addr("255.255.255.255"), "255.255.255.255");
	/* IRRd leniency: leading zeros are accepted and dropped */
	CHECK_STR(fmt_addr("192.0.02.001"), "192.0.2.1");
	CHECK_STR(fmt_addr("256.0.0.1"), "ERR");
	CHECK_STR(fmt_addr("192.0.2"), "ERR");
	CHECK_STR(fmt_addr("192.0.2.1.5"), "ERR");
	CHECK_STR(fmt_addr("192.0.2."), "ERR");
	CHECK_STR(fmt_addr(".192.0.2"), "ERR");
	CHECK_STR(fmt_addr("192.0.2.x"), "ERR");
	CHECK_STR(fmt_addr(" 192.0.2.1"), "ERR");
	CHECK_STR(fmt_addr(""), "ERR");

	/* never reads past len */
	{
		struct ip_addr a;
		CHECK_INT(ip_addr_parse("192.0.2.10", 9, &a), 0);
		CHECK_INT(ip_addr_parse("192.0.2.10", 8, &a), -1);
		CHECK_INT(ip_addr_parse("192.0.2.10", 9, &a), 0);
		CHECK_STR(ip_addr_format(&a, (char[IP_PREFIX_STRLEN]){ 0 }, IP_PREFIX_STRLEN), "192.0.2.1");
	}
}

static void test_ipv6(void)
{
	/* RFC 5952: lower case, no leading zeros, longest zero run (first
	 * of equals) as "::", never for a single group */
	CHECK_STR(fmt_addr("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
	CHECK_STR(fmt_addr("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
	CHECK_STR(fmt_addr("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
	CHECK_STR(fmt_addr("2001:0:0:1:0:0:0:1"), "2001:0:0:1::1");
	CHECK_STR(fmt_addr("12AB:0000:0000:CD30:0000:0000:0000:0000"), "12ab:0:0:cd30::");
	CHECK_STR(fmt_addr("::"), "::");
	CHECK_STR(fmt_addr("::1"), "::1");
	CHECK_STR(fmt_addr("1::"), "1::");
	CHECK_STR(fmt_addr("0:0:0:0:0:0:0:0"), "::");
	CHECK_STR(fmt_addr("fe80::1:2"), "fe80::1:2");
	CHECK_STR(fmt_addr("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
	CHECK_STR(fmt_addr("::192.0.2.1"), "::c000:201");
	CHECK_STR(fmt_addr("1:2:3:4:5:6:7:8"), "1:2:3:4:5:6:7:8");
	CHECK_STR(fmt_addr("1:2:3:4:5:6:7::"), "1:2:3:4:5:6:7:0");
	CHECK_STR(fmt_addr("1:2:3:4:5:6:7:8:9"), "ERR");
	CHECK_STR(fmt_addr("1::2::3"), "ERR");
	CHECK_STR(fmt_addr(":1:2:3:4:5:6:7"), "ERR");
	CHECK_STR(fmt_addr("1:2:3:4:5:6:7:"), "ERR");
	CHECK_STR(fmt_addr("12345::"), "ERR");
	CHECK_STR(fmt_addr("1:2:3"), "ERR");
	CHECK_STR(fmt_addr("g::1"), "ERR");
	CHECK_STR(fmt_addr("1::2:3:4:5:6:7:8"), "ERR");
	CHECK_STR(fmt_addr("::1.2.3"), "ERR");
}

static void test_prefixes(void)
{
	struct ip_prefix p, q;
	struct ip_addr a;
	char buf[IP_PREFIX_STRLEN];

	CHECK_STR(fmt_prefix("192.0.2.0/24", true), "192.0.2.0/24");
	CHECK_STR(fmt_prefix("192.0.2.1/24", true), "ERR");
	CHECK_STR(fmt_prefix("192.0.2.1/24", false), "192.0.2.0/24");
	CHECK_STR(fmt_prefix("0.0.0.0/0", true), "0.0.0.0/0");
	CHECK_STR(fmt_prefix("192.0.2.1/32", true), "192.0.2.1/32");
	CHECK_STR(fmt_prefix("192.0.2.0/33", true), "ERR");
	CHECK_STR(fmt_prefix("192.0.2.0/", true), "ERR");
	CHECK_STR(fmt_prefix("192.0.2.0", true), "ERR");
	CHECK_STR(fmt_prefix("192.0.2.0/2x", true), "ERR");
	CHECK_STR(fmt_prefix("2001:DB8::/32", true), "2001:db8::/32");
	CHECK_STR(fmt_prefix("2001:db8::1/64", false), "2001:db8::/64");
	CHECK_STR(fmt_prefix("2001:db8::1/128", true), "2001:db8::1/128");
	CHECK_STR(fmt_prefix("2001:db8::/129", true), "ERR");
	CHECK_STR(fmt_prefix("::/0", true), "::/0");

	CHECK_INT(ip_prefix_parse("192.0.2.128/25", 14, &p, true), 0);
	ip_prefix_first(&p, &a);
	CHECK_STR(ip_addr_format(&a, buf, sizeof(buf)), "192.0.2.128");
	ip_prefix_last(&p, &a);
	CHECK_STR(ip_addr_format(&a, buf, sizeof(buf)), "192.0.2.255");
	CHECK_INT(ip_prefix_parse("2001:db8::/29", 13, &p, true), 0);
	ip_prefix_last(&p, &a);
	CHECK_STR(ip_addr_format(&a, buf, sizeof(buf)), "2001:dbf:ffff:ffff:ffff:ffff:ffff:ffff");
	CHECK_INT(ip_prefix_parse("0.0.0.0/0", 9, &p, true), 0);
	ip_prefix_last(&p, &a);
	CHECK_STR(ip_addr_format(&a, buf, sizeof(buf)), "255.255.255.255");

	/* covers */
	ip_prefix_parse("192.0.2.0/24", 12, &p, true);
	ip_prefix_parse("192.0.2.128/25", 14, &q, true);
	CHECK(ip_prefix_covers(&p, &q));
	CHECK(!ip_prefix_covers(&q, &p));
	CHECK(ip_prefix_covers(&p, &p));
	ip_prefix_parse("192.0.3.0/25", 12, &q, true);
	CHECK(!ip_prefix_covers(&p, &q));
	ip_prefix_parse("192.0.0.0/22", 12, &p, true);
	CHECK(ip_prefix_covers(&p, &q));
	ip_prefix_parse("::/0", 4, &q, true);
	CHECK(!ip_prefix_covers(&q, &p));	/* different family */
	ip_prefix_parse("0.0.0.0/0", 9, &q, true);
	CHECK(ip_prefix_covers(&q, &p));

	/* ordering: family, then address, then length */
	ip_prefix_parse("192.0.2.0/24", 12, &p, true);
	ip_prefix_parse("192.0.2.0/25", 12, &q, true);
	CHECK_INT(ip_prefix_cmp(&p, &q), -1);
	CHECK_INT(ip_prefix_cmp(&q, &p), 1);
	CHECK_INT(ip_prefix_cmp(&p, &p), 0);
	ip_prefix_parse("10.0.0.0/8", 10, &q, true);
	CHECK_INT(ip_prefix_cmp(&q, &p), -1);
	ip_prefix_parse("::/0", 4, &q, true);
	CHECK_INT(ip_prefix_cmp(&p, &q), -1);
	{
		struct ip_addr x, y;
		ip_addr_parse("192.0.2.1", 9, &x);
		ip_addr_parse("192.0.2.10", 10, &y);
		CHECK_INT(ip_addr_cmp(&x, &y), -1);
		CHECK_INT(ip_addr_cmp(&y, &x), 1);
		CHECK_INT(ip_addr_cmp(&x, &x), 0);
		CHECK_INT(ip_bit(y.a, 28), 1);
		CHECK_INT(ip_bit(y.a, 31), 0);
	}
}

static long asn(const char *s, bool bare)
{
	uint32_t v;

	if (asn_parse(s, strlen(s), &v, bare) < 0)
		return -1;
	return (long)v;
}

static void test_asn(void)
{
	CHECK_INT(asn("AS65537", false), 65537);
	CHECK_INT(asn("as065537", false), 65537);
	CHECK_INT(asn("As0", false), 0);
	CHECK_INT(asn("AS4294967295", false), 4294967295L);
	CHECK_INT(asn("AS4294967296", false), -1);
	CHECK_INT(asn("AS", false), -1);
	CHECK_INT(asn("AS-FOO", false), -1);
	CHECK_INT(asn("AS 1", false), -1);
	CHECK_INT(asn("65537", false), -1);
	CHECK_INT(asn("65537", true), 65537);
	CHECK_INT(asn("AS65537", true), 65537);
	/* asdot */
	CHECK_INT(asn("AS1.1", false), 65537);
	CHECK_INT(asn("1.0", true), 65536);
	CHECK_INT(asn("AS65535.65535", false), 4294967295L);
	CHECK_INT(asn("AS65536.0", false), -1);
	CHECK_INT(asn("AS1.65536", false), -1);
	CHECK_INT(asn("AS1.", false), -1);
	CHECK_INT(asn("AS.1", false), -1);
	CHECK_INT(asn("AS1.2.3", false), -1);
}

int main(void)
{
	TEST_RUN(test_ipv4);
	TEST_RUN(test_ipv6);
	TEST_RUN(test_prefixes);
	TEST_RUN(test_asn);
	return test_summary("rpsl_prefix");
}
