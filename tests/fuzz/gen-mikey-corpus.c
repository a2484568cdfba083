/*
 * gen-mikey-corpus.c: writes the seed corpus of fuzz-mikey (one file per
 * sample message of tests/unit/codec-samples.h, both algorithm sets) into
 * the directory given as argv[1].
 */
#include <stdio.h>

#include "mikey/mikey.h"
#include "codec-samples.h"

int main(int argc, char **argv)
{
	static uint8_t buf[4096];
	struct mk_msg m;
	char path[512];
	unsigned i, big;
	size_t n;
	FILE *f;

	if (argc != 2)
		return 2;
	for (i = 0; i < sizeof(smp_types); i++)
		for (big = 0; big < 2; big++) {
			smp_msg(&m, smp_types[i], big);
			if (mk_build(&m, buf, sizeof(buf), &n) != MK_OK)
				return 1;
			snprintf(path, sizeof(path), "%s/dt%02u-%s.mikey", argv[1],
				 smp_types[i], big ? "256" : "128");
			f = fopen(path, "wb");
			if (!f || fwrite(buf, 1, n, f) != n || fclose(f))
				return 1;
		}
	return 0;
}
