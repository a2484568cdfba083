/*
 * bench-load.h: the load loop of tkms-bench.  Each thread drives its share
 * of the connections with poll() over non-blocking sockets (GnuTLS sessions
 * for PSK-TLS, TS 33.222 5.4, profile P-7; or plain HTTP), one exchange in
 * flight per connection: POST /mikey with a fresh REQUEST_INIT_PSK or
 * RESOLVE_INIT_PSK (P-5), then the answer is checked completely (status
 * 200, application/mikey, V MAC with the row D keys, KEMAC decrypted,
 * granted policy: the UE call library, src/ue/call.h) and timed.
 */
#ifndef TK_BENCH_LOAD_H
#define TK_BENCH_LOAD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>

#include "tools/bench-hist.h"
#include "ue/call.h"

/* CHAIN: each connection asks for a ticket (IDRr: the next user and itself),
 * then resolves that fresh ticket itself, and so on: tickets issued during
 * the run (under whichever key is current, by whichever KMS instance) are
 * resolved moments later. */
enum bench_mix { BENCH_MIX_REQUEST, BENCH_MIX_RESOLVE, BENCH_MIX_BOTH, BENCH_MIX_CHAIN };
enum bench_op { BENCH_OP_REQUEST, BENCH_OP_RESOLVE };

/* Failure kinds, counted separately. */
enum bench_fail {
	BF_CONNECT,       /* TCP connect */
	BF_TLS,           /* handshake failed or negotiated another suite */
	BF_IO,            /* send / receive error, connection closed mid-exchange */
	BF_TIMEOUT,       /* no complete answer within --timeout */
	/* kinds above: the connection broke (bench_fail_is_transport) */
	BF_HTTP,          /* answer is not well-formed HTTP/1.1 */
	BF_STATUS,        /* HTTP status other than 200 */
	BF_CTYPE,         /* 200 without Content-Type application/mikey */
	BF_BUILD,         /* our own message could not be built */
	BF_PARSE,         /* MIKEY answer malformed / wrong type / KEMAC unreadable */
	BF_MAC,           /* V MAC of the answer wrong */
	BF_PEER,          /* the KMS answered with a MIKEY Error */
	BF_POLICY,        /* granted policy unusable */
	BF_CRYPTO,        /* derivation / decryption */
	BF_TS,            /* timestamp of the answer outside the window */
	BF_OTHER,
	BF_N
};

const char *bench_fail_name(int kind);
/* connect, tls, io, timeout: no answer came (a KMS instance went away); the
 * others are answers that were wrong. */
int bench_fail_is_transport(int kind);

/* One bootstrapped subscriber. */
struct bench_user {
	char impi[UE_MAX_ID];
	char impu[UE_MAX_ID];
	struct ue_cred cred;                     /* B-TID + Ks_NAF(01 00 00 00 06) */
	gnutls_psk_client_credentials_t tlscred; /* identity + Ks_NAF of the transport */
	uint8_t tinit[UE_MAX_MSG];               /* a TRANSFER_INIT addressed to us */
	size_t tinit_len;
};

struct bench_cfg {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	const char *host;             /* Host header */
	const char *fqdn;             /* KMS FQDN (IDRkms) */
	bool tls;
	gnutls_priority_t prio;
	int suite;                    /* TLS 1.2 suite expected; -1: TLS 1.3 */
	bool new_conn;
	int mix;                      /* enum bench_mix */
	int algset;                   /* enum ue_algset */
	struct bench_user *users;
	unsigned nusers;
	unsigned connections, threads;
	long timeout_ms;
	/* run control, shared by the threads */
	int stop;                     /* set by the main thread (atomic) */
	bool counted;                 /* --count given */
	long remaining;               /* --count: exchanges left to claim */
};

struct bench_stats {
	uint64_t progress;            /* exchanges ended, read by the main thread (atomic) */
	uint64_t ok;
	uint64_t fail[BF_N];
	char first[BF_N][200];        /* first detail of each kind */
	uint64_t status[600];         /* HTTP statuses of complete answers */
	uint64_t connects;            /* connections opened (and TLS handshakes) */
	struct bench_hist hist;       /* latency of every complete answer, us */
};

struct bench_thread {
	struct bench_cfg *cfg;
	unsigned id;
	pthread_t th;
	int finished;                 /* set when the thread is about to return (atomic) */
	uint64_t end_ns;              /* CLOCK_MONOTONIC when its last exchange ended */
	struct bench_stats st;
};

/* Thread body: drives connections id, id + threads, ... until the run is
 * stopped (or --count exhausted) and every exchange in flight has ended. */
void *bench_thread_run(void *arg);

#endif
