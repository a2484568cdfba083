/*
 * routes.h: tkmsd's HTTP routes (profile P-5, P-6, P-7, P-27):
 *   GET|HEAD /healthz   200 "ok"
 *   POST /mikey         application/mikey in and out; 405 (with Allow) for
 *                       other methods, 415 for another content type, 413
 *                       above limits.max_body (the adapter), 401/403/503 per
 *                       P-6 through the one verdict table in routes.c
 *   anything else       404
 * Transport identity per listener: PSK-TLS gives the B-TID of the client's
 * PSK identity; HTTPS requires GBA Digest (TS 33.222 5.3, Ua id 01 00 01 yy
 * zz) unless a verified client certificate is presented; plain HTTP accepts
 * Digest (Ua id 01 00 00 00 02) or nothing (the MIKEY message authenticates
 * itself, P-2).  With password users configured, HTTPS also accepts Digest
 * of the realm "tkms-users@<fqdn>" (tkmsd/creds.h) and every 401 offers
 * that realm in a second WWW-Authenticate, after the GBA realm.
 */
#ifndef TKMSD_ROUTES_H
#define TKMSD_ROUTES_H

#include "http/http.h"
#include "tkmsd/mikey_handler.h"

struct naf;

#define TKMSD_RETRY_AFTER_S 5

struct tkmsd_routes {
	struct naf *naf;                     /* Digest checks and challenges */
	struct tkmsd_mikey_handler mikey;
	struct tkmsd_users_hook users;       /* password users; any NULL: none */
};

/* The tk_http_handler_fn of every listener; cls = struct tkmsd_routes *. */
void tkmsd_route(void *cls, struct tk_http_req *req);

#endif
