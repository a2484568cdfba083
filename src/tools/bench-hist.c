/*
 * bench-hist.c: the log-linear latency histogram of bench-hist.h.
 */
#include "tools/bench-hist.h"


static unsigned bucket_of(uint64_t v)
{
	unsigned e;

	if (v < 64)
		return (unsigned)v;
	e = 63u - (unsigned)__builtin_clzll(v); /* >= 6 */
	return 64u + (e - 6u) * 32u + (unsigned)((v >> (e - 5u)) & 31u);
}

/* Largest value that falls into bucket i. */
static uint64_t bucket_top(unsigned i)
{
	unsigned e, sub;

	if (i < 64)
		return i;
	e = (i - 64u) / 32u + 6u;
	sub = (i - 64u) % 32u;
	return ((((uint64_t)32u + sub + 1u) << (e - 5u))) - 1u;
}

void bench_hist_add(struct bench_hist *h, uint64_t us)
{
	unsigned i = bucket_of(us);

	if (i >= BH_BUCKETS)
		i = BH_BUCKETS - 1;
	h->b[i]++;
	h->n++;
	h->sum_us += us;
	if (us > h->max_us)
		h->max_us = us;
}

void bench_hist_merge(struct bench_hist *into, const struct bench_hist *from)
{
	unsigned i;

	for (i = 0; i < BH_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->n += from->n;
	into->sum_us += from->sum_us;
	if (from->max_us > into->max_us)
		into->max_us = from->max_us;
}

uint64_t bench_hist_quantile(const struct bench_hist *h, double q)
{
	uint64_t want, seen = 0, top;
	unsigned i;

	if (!h->n)
		return 0;
	want = (uint64_t)(q * (double)h->n);
	if ((double)want < q * (double)h->n)
		want++;
	if (want < 1)
		want = 1;
	for (i = 0; i < BH_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			break;
	}
	top = i < BH_BUCKETS ? bucket_top(i) : h->max_us;
	return top < h->max_us ? top : h->max_us;
}
