/*
 * rtr_tls.c - the TLS side of the RTR server (RFC 8210 section 9): one
 * server SSL_CTX built from server.rtr.tls (certificate chain, key, and an
 * optional client CA: with one set, a router must present a certificate
 * that chains to it, or the handshake fails and the connection closes).
 * OpenSSL errors are drained into the log with the file they concern.
 */
#include "irrd/rtrd.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "conf/conf.h"
#include "rpsl/log.h"

/* Log "SUBJECT: what" followed by OpenSSL's reasons, and clear them. */
static void tls_log_errors(const char *subject, const char *what)
{
	unsigned long e;
	char buf[256];
	bool any = false;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_warnx("%s: %s: %s", subject, what, buf);
		any = true;
	}
	if (!any)
		log_warnx("%s: %s", subject, what);
}

void irrd_rtr_tls_drain_errors(const char *subject)
{
	unsigned long e;
	char buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_info("%s: TLS: %s", subject, buf);
	}
}

SSL_CTX *irrd_rtr_tls_ctx(const struct cfg_listener *lc)
{
	SSL_CTX *ctx;
	STACK_OF(X509_NAME) *names;

	if (lc->tls_cert == NULL || lc->tls_key == NULL)
		return NULL;
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL) {
		tls_log_errors("server.rtr.tls", "cannot create a TLS context");
		return NULL;
	}
	/* RFC 8210 section 9 asks for TLS; 1.2 is the oldest worth offering */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	/* the write buffer moves while bufferevent_openssl retries */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_use_certificate_chain_file(ctx, lc->tls_cert) != 1) {
		tls_log_errors(lc->tls_cert, "cannot load the certificate (server.rtr.tls.certificate)");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, lc->tls_key, SSL_FILETYPE_PEM) != 1) {
		tls_log_errors(lc->tls_key, "cannot load the private key (server.rtr.tls.key)");
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		tls_log_errors(lc->tls_key, "the key does not match the certificate");
		goto fail;
	}
	if (lc->tls_client_ca != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, lc->tls_client_ca, NULL) != 1) {
			tls_log_errors(lc->tls_client_ca, "cannot load the client CA (server.rtr.tls.client_ca)");
			goto fail;
		}
		names = SSL_load_client_CA_file(lc->tls_client_ca);
		if (names == NULL) {
			tls_log_errors(lc->tls_client_ca, "no CA certificate in the file");
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		SSL_CTX_set_verify_depth(ctx, 8);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	ERR_clear_error();
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void irrd_rtr_tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

void irrd_rtr_tls_peer(SSL *ssl, char *buf, size_t size)
{
	X509 *cert;

	buf[0] = '\0';
	if (ssl == NULL)
		return;
	cert = SSL_get_peer_certificate(ssl);
	if (cert == NULL) {
		snprintf(buf, size, "%s, no client certificate", SSL_get_version(ssl));
		return;
	}
	{
		char subj[256];
		X509_NAME_oneline(X509_get_subject_name(cert), subj, sizeof(subj));
		snprintf(buf, size, "%s, client %s", SSL_get_version(ssl), subj);
	}
	X509_free(cert);
}
