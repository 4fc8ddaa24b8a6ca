/* rpsl_base64_test.c - the three strictness modes of base64_decode. */
#include <string.h>

#include "rpsl/base64.h"
#include "tests/unit/testlib.h"

/* Decodes `in` in `mode`; the result as a string, or "ERR". */
static const char *dec(const char *in, enum base64_mode mode)
{
	static char out[256];
	ssize_t n = base64_decode(in, strlen(in), (unsigned char *)out, mode);
	if (n < 0)
		return "ERR";
	out[n] = '\0';
	return out;
}

static void test_digits(void)
{
	CHECK_INT(base64_digit('A'), 0);
	CHECK_INT(base64_digit('z'), 51);
	CHECK_INT(base64_digit('9'), 61);
	CHECK_INT(base64_digit('+'), 62);
	CHECK_INT(base64_digit('/'), 63);
	CHECK_INT(base64_digit('='), -1);
	CHECK_INT(base64_digit('-'), -1);
}

static void test_strict(void)
{
	CHECK_STR(dec("aGVsbG8=", BASE64_STRICT), "hello");
	CHECK_STR(dec("aGVs\nbG8g\r\n d29y bGQ=", BASE64_STRICT), "hello world");
	CHECK_STR(dec("aGk=", BASE64_STRICT), "hi");
	CHECK_STR(dec("aA==", BASE64_STRICT), "h");
	CHECK_STR(dec("", BASE64_STRICT), "");
	CHECK_STR(dec("aGVsbG8", BASE64_STRICT), "ERR");	/* padding missing */
	CHECK_STR(dec("aB==", BASE64_STRICT), "ERR");	/* unused bits set */
	CHECK_STR(dec("aGk=a", BASE64_STRICT), "ERR");	/* data after padding */
	CHECK_STR(dec("a===", BASE64_STRICT), "ERR");
	CHECK_STR(dec("aGVsbA", BASE64_STRICT), "ERR");
	CHECK_STR(dec("aGV*", BASE64_STRICT), "ERR");
}

static void test_pad_optional(void)
{
	CHECK_STR(dec("aGVsbG8", BASE64_PAD_OPTIONAL), "hello");
	CHECK_STR(dec("aGVsbG8=", BASE64_PAD_OPTIONAL), "hello");
	CHECK_STR(dec("aA", BASE64_PAD_OPTIONAL), "h");
	CHECK_STR(dec("aA=", BASE64_PAD_OPTIONAL), "ERR");	/* padding that does not fit */
	CHECK_STR(dec("aGVsb", BASE64_PAD_OPTIONAL), "ERR");	/* one digit cannot carry a byte */
	CHECK_STR(dec("aGVsbG8=x", BASE64_PAD_OPTIONAL), "ERR");
	CHECK_STR(dec("aGVs=", BASE64_PAD_OPTIONAL), "ERR");
}

static void test_stop_at_pad(void)
{
	CHECK_STR(dec("aGVsbG8=", BASE64_STOP_AT_PAD), "hello");
	CHECK_STR(dec("aGVsbG8=anything", BASE64_STOP_AT_PAD), "hello");
	CHECK_STR(dec("aGVsbG8", BASE64_STOP_AT_PAD), "hello");
	CHECK_STR(dec("aGV!", BASE64_STOP_AT_PAD), "ERR");
}

int main(void)
{
	TEST_RUN(test_digits);
	TEST_RUN(test_strict);
	TEST_RUN(test_pad_optional);
	TEST_RUN(test_stop_at_pad);
	return test_summary("rpsl_base64_test");
}
