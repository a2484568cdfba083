/*
 * naf_zn_peer.c: the in-process Zn test peer (see naf_zn_peer.h).
 */
#include "naf_zn_peer.h"

#include <arpa/inet.h>
#include <gnutls/crypto.h>
#include <netinet/in.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/hexb64.h"

struct zn_peer {
	struct MHD_Daemon *d;
	char url[64];
	unsigned requests, delay_ms; /* __atomic */
	int lifetime;
};

struct req {
	char body[4096];
	size_t len;
};

void zn_peer_key(const char *btid, const char *fqdn, const char *ua_hex, uint8_t out[32])
{
	char buf[1024];
	int n = snprintf(buf, sizeof buf, "%s|%s|%s", btid, fqdn, ua_hex);
	gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, (size_t)n, out);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
			     const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", ctype);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static void iso(time_t t, char *out, size_t cap)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static enum MHD_Result answer(struct zn_peer *p, struct MHD_Connection *c, struct req *rq)
{
	const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	const char *btid, *fqdn, *ua;
	json_t *root;
	unsigned delay;
	char exp[40], now[40], hex[65], out[1024];
	uint8_t key[32];
	time_t t = time(NULL);

	__atomic_add_fetch(&p->requests, 1, __ATOMIC_RELAXED);
	delay = __atomic_load_n(&p->delay_ms, __ATOMIC_RELAXED);
	if (delay)
		usleep(delay * 1000);
	if (!auth || strcmp(auth, "Bearer tok") != 0)
		return reply(c, 401, "application/problem+json", "{\"status\":401,\"cause\":\"UNAUTHORIZED\"}");
	root = json_loadb(rq->body, rq->len, 0, NULL);
	btid = json_string_value(json_object_get(root, "btId"));
	fqdn = json_string_value(json_object_get(json_object_get(root, "nafId"), "nafFqdn"));
	ua = json_string_value(json_object_get(json_object_get(root, "nafId"), "uaSecProtId"));
	if (!btid || !fqdn || !ua) {
		json_decref(root);
		return reply(c, 400, "application/problem+json", "{\"status\":400,\"cause\":\"BAD\"}");
	}
	if (!strncmp(btid, "NF", 2)) {
		json_decref(root);
		return reply(c, 404, "application/problem+json",
			     "{\"status\":404,\"cause\":\"BTID_NOT_FOUND\",\"detail\":\"unknown\"}");
	}
	if (!strncmp(btid, "FB", 2)) {
		json_decref(root);
		return reply(c, 403, "application/problem+json",
			     "{\"status\":403,\"cause\":\"NAF_NOT_AUTHORIZED\"}");
	}
	if (!strncmp(btid, "E5", 2)) {
		json_decref(root);
		return reply(c, 500, "text/plain", "boom");
	}
	if (!strncmp(btid, "BG", 2)) {
		static char big[70000];
		struct MHD_Response *r;
		enum MHD_Result ret;

		json_decref(root);
		memset(big, ' ', sizeof big);
		r = MHD_create_response_from_buffer(sizeof big, big, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", "application/json");
		ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strncmp(btid, "BJ", 2)) {
		json_decref(root);
		return reply(c, 200, "application/json", "{\"meKeyMaterial\": \"00\"");
	}
	zn_peer_key(btid, fqdn, ua, key);
	tk_hex_encode(key, 32, hex);
	iso(t + p->lifetime, exp, sizeof exp);
	iso(t, now, sizeof now);
	snprintf(out, sizeof out,
		 "{\"meKeyMaterial\":\"%s\",\"keyExpiryTime\":\"%s\","
		 "\"bootstrappingInfoCreationTime\":\"%s\",\"impi\":\"user@test\","
		 "\"gbaType\":\"3G_GBA\",\"ussList\":[{\"uss\":{\"gsId\":\"0\",\"gsType\":\"0\","
		 "\"ueIds\":[{\"ueId\":\"sip:user@test\"},{\"ueId\":\"tel:+15550100\"}],"
		 "\"keyChoice\":\"ME_BASED_KEY\"}}]}",
		 hex, exp, now);
	json_decref(root);
	return reply(c, 200, "application/json", out);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **con_cls)
{
	struct req *rq = *con_cls;

	if (!rq) {
		rq = calloc(1, sizeof *rq);
		*con_cls = rq;
		return rq ? MHD_YES : MHD_NO;
	}
	if (*size) {
		size_t n = *size < sizeof rq->body - rq->len ? *size : sizeof rq->body - rq->len;
		memcpy(rq->body + rq->len, data, n);
		rq->len += n;
		*size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") || strcmp(url, "/nbsp-gba/v1/bootstrapping-info-retrieval"))
		return reply(c, 404, "text/plain", "no such path");
	return answer(cls, c, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	free(*con_cls);
	*con_cls = NULL;
}

struct zn_peer *zn_peer_start(void)
{
	struct zn_peer *p = calloc(1, sizeof *p);
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sa = { .sin_family = AF_INET };

	if (!p)
		return NULL;
	p->lifetime = 3600;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
				handler, p, MHD_OPTION_SOCK_ADDR, &sa,
				MHD_OPTION_THREAD_POOL_SIZE, 8u,
				MHD_OPTION_CONNECTION_LIMIT, 512u,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!p->d) {
		free(p);
		return NULL;
	}
	info = MHD_get_daemon_info(p->d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(p->url, sizeof p->url, "http://127.0.0.1:%u", info->port);
	return p;
}

void zn_peer_stop(struct zn_peer *p)
{
	if (!p)
		return;
	MHD_stop_daemon(p->d);
	free(p);
}

const char *zn_peer_url(const struct zn_peer *p) { return p->url; }
unsigned zn_peer_requests(struct zn_peer *p) { return __atomic_load_n(&p->requests, __ATOMIC_RELAXED); }
void zn_peer_set_delay_ms(struct zn_peer *p, unsigned ms) { __atomic_store_n(&p->delay_ms, ms, __ATOMIC_RELAXED); }
void zn_peer_set_lifetime(struct zn_peer *p, int seconds) { p->lifetime = seconds; }
