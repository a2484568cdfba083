/* log.c: stderr logging with levels (one write per line, so threads do not
 * interleave within a line). */
#include "bsf-stub/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "util/timefmt.h"

static int max_level = BSF_LOG_INFO;

void bsf_log_set_level(int level) { max_level = level; }

void bsf_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit", "error",
					     "warning", "notice", "info", "debug" };
	char line[1024], t[TK_TIME_STR];
	va_list ap;
	int n, m;

	if (level > max_level)
		return;
	tk_time_format(time(NULL), t);
	n = snprintf(line, sizeof line, "%s bsf-stub %s: ", t, names[level & 7]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
