/*
 * testlib.h - a counting test runner for unit tests (cf. unbound's
 * testcode/unitmain.c). Each check prints "ok" or "FAIL file:line: what";
 * main() ends with test_summary(), which prints
 *   "<suite>: N passed, N failed"
 * and returns the exit status. scripts/run_tests.sh adds the counts up.
 *
 * Tests find the project's test data through TEST_DATA_DIR (tests/data)
 * and ../shared through SHARED_DIR when a check-shared test needs it.
 */
#ifndef TESTS_TESTLIB_H
#define TESTS_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_passed, test_failed;
static const char *test_current = "";

#define TEST_RUN(fn) do { test_current = #fn; fn(); } while (0)

#define CHECK(cond) do { \
	if (cond) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "FAIL %s:%d (%s): %s\n", __FILE__, __LINE__, test_current, #cond); } \
} while (0)

#define CHECK_MSG(cond, ...) do { \
	if (cond) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "FAIL %s:%d (%s): %s: ", __FILE__, __LINE__, test_current, #cond); \
	       fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "FAIL %s:%d (%s): %s\n  got:  [%s]\n  want: [%s]\n", __FILE__, __LINE__, \
	       test_current, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

#define CHECK_INT(got, want) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (g_ == w_) { test_passed++; } \
	else { test_failed++; fprintf(stderr, "FAIL %s:%d (%s): %s == %lld, want %lld\n", __FILE__, __LINE__, \
	       test_current, #got, g_, w_); } \
} while (0)

static inline int test_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, test_passed, test_failed);
	fflush(stdout);	/* keep the count line if LeakSanitizer ends the process at exit */
	return test_failed ? 1 : 0;
}

/* Read a whole file into a NUL-terminated buffer; NULL if it cannot be read. */
static inline char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static inline const char *test_data_dir(void)
{
	const char *d = getenv("TEST_DATA_DIR");
	return d ? d : "tests/data";
}

#endif
