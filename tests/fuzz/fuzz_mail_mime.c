/*
 * fuzz_mail_mime.c - libFuzzer target for the e-mail parser (mail_parse):
 * headers, MIME structure, transfer encodings, charsets. Checks the
 * parser's promises: a refusal or a body, never NUL inside the body, the
 * signed part only with a signature.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	struct mail_msg *m;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	m = mail_parse(buf, size);
	if (m->body != NULL && (m->refusal != NULL || strlen(m->body) != m->body_len))
		abort();
	if ((m->signed_data == NULL) != (m->signature == NULL))
		abort();
	if (m->from_addr != NULL && (m->from == NULL || strchr(m->from_addr, '@') == NULL ||
				     strpbrk(m->from_addr, " \r\n<>") != NULL))
		abort();
	mail_msg_free(m);
	free(buf);
	return 0;
}
