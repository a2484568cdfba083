/*
 * bench-hist.h: latency histogram of tkms-bench: log-linear buckets over
 * microseconds (exact below 64 us, then 32 buckets per power of two, so a
 * reported percentile is within about 3 % of the true value), one per
 * thread, merged at the end.  No allocation, no locking.
 */
#ifndef TK_BENCH_HIST_H
#define TK_BENCH_HIST_H

#include <stdint.h>

enum { BH_BUCKETS = 64 + 58 * 32 };

struct bench_hist {
	uint64_t n;
	uint64_t max_us;
	uint64_t sum_us;
	uint64_t b[BH_BUCKETS];
};

void bench_hist_add(struct bench_hist *h, uint64_t us);
void bench_hist_merge(struct bench_hist *into, const struct bench_hist *from);
/* Value (us) at quantile q in [0, 1]: the upper edge of the bucket holding
 * the ceil(q * n)-th sample, capped at the maximum; 0 when empty. */
uint64_t bench_hist_quantile(const struct bench_hist *h, double q);

#endif
