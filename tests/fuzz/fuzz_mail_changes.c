/*
 * fuzz_mail_changes.c - libFuzzer target for the change-request parser
 * (mail_changes_parse), remove_auth_hashes and the notification diff:
 * the input is split into requests; each request's text is filtered, and
 * the first two are diffed both ways. Checks that no meta line survives
 * in a request and that filtering leaves no hash behind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *t)
{
	for (const char *p = t; *p;) {
		const char *nl = strchr(p, '\n');

		if (strncmp(p, "password:", 9) == 0 || strncmp(p, "override:", 9) == 0 ||
		    strncmp(p, "delete:", 7) == 0 || strncmp(p, "api-key:", 8) == 0)
			abort();
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	if (strchr(t, '\r') != NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct mail_changes *ch;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	ch = mail_changes_parse(buf, strlen(buf));
	for (size_t i = 0; i < ch->nreqs; i++) {
		char *f = mail_remove_auth_hashes(ch->reqs[i].text);

		check_text(ch->reqs[i].text);
		/* after filtering, every scheme name is followed by the dummy */
		for (const char *p = f; (p = strcasestr(p, "MD5-PW")) != NULL; p++)
			if (p[6] != '\0' && p[6] != '\n' && strncmp(p + 6, " DummyValue  # Filtered for security", 36) != 0)
				abort();
		free(f);
	}
	if (ch->nreqs >= 2) {
		char *d1 = mail_unified_diff(ch->reqs[0].text, ch->reqs[1].text);
		char *d2 = mail_unified_diff(ch->reqs[1].text, ch->reqs[0].text);

		/* equal texts have no diff, different ones do */
		if ((strcmp(ch->reqs[0].text, ch->reqs[1].text) == 0) != (d1[0] == '\0'))
			abort();
		free(d1);
		free(d2);
	}
	{
		char *d = mail_unified_diff(buf, buf);

		if (d[0] != '\0')
			abort();
		free(d);
	}
	mail_changes_free(ch);
	free(buf);
	return 0;
}
