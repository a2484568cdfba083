/*
 * xml.h: the XML bsf-stub reads and writes, always validated with libxml2
 * against the schemas in schemas/ (profile P-18):
 *  - BootstrappingInfo, the Ub 200 OK body (TS 24.109 Annex C, gba.md 4.3,
 *    P-16), namespace uri:3gpp-gba;
 *  - GUSS, the GBA user security settings (gba.md 4.5), namespace
 *    urn:3gpp:gba:GBAGUSSSchema-R9:2010-02. Un-namespaced GUSS (as some HSSs
 *    write it) is accepted on input: its un-namespaced elements are moved into
 *    the GUSS namespace before validation.
 * Parsing never loads DTDs, external entities or network resources.
 */
#ifndef BSF_XML_H
#define BSF_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define BSF_NS_BSF  "uri:3gpp-gba"
#define BSF_NS_GUSS "urn:3gpp:gba:GBAGUSSSchema-R9:2010-02"
#define BSF_XML_MAX (64 * 1024) /* largest XML document read */

/* The schema texts, generated from schemas/ at build time (xsd-data.c). */
extern const char bsf_xsd_bootstrapping_info[];
extern const char bsf_xsd_guss[];

enum bsf_schema { BSF_SCHEMA_BOOTINFO = 0, BSF_SCHEMA_GUSS = 1 };

/* One user security setting (a GAA service the subscriber may use). */
struct bsf_uss {
	char *id;
	unsigned long type;   /* GAA service type code */
	char gsid[24];        /* GSID = the type code in decimal (gba.md 3.3) */
	char *naf_group;      /* NULL when absent */
	char **uids;          /* public identities (IMPUs) */
	size_t n_uids;
	unsigned long *flags;
	size_t n_flags;
};

struct bsf_guss {
	char *id;             /* IMPI */
	bool gba_u;           /* uiccType GBA_U (else GBA) */
	long lifetime;        /* bsfInfo/lifeTime seconds, -1 when absent */
	struct bsf_uss *uss;
	size_t n_uss;
};

/* Parse the embedded schemas (once, before threads start). 0 or -1. */
int bsf_xml_init(char *err, size_t errlen);
void bsf_xml_cleanup(void);

/* Validate a document against one schema. 0, or -1 with the first problem
 * ("line N: message") in err. */
int bsf_xml_validate(enum bsf_schema which, const char *xml, size_t len,
		     char *err, size_t errlen);

/* Parse and validate a GUSS document (root guss, namespaced or not). 0 or -1
 * with a message; on success free *g with bsf_guss_free. */
int bsf_guss_parse(const char *xml, size_t len, struct bsf_guss *g,
		   char *err, size_t errlen);
void bsf_guss_free(struct bsf_guss *g);

/* Render g as namespaced GUSS XML (malloc'ed, NUL-terminated) and validate
 * it. 0 or -1 with a message. */
int bsf_guss_render(const struct bsf_guss *g, char **out, size_t *len,
		    char *err, size_t errlen);

/* The Ub 200 OK body: btid, lifetime (expiry) and Extension/currenttime,
 * validated before it is returned (malloc'ed). 0 or -1. */
int bsf_bootinfo_render(const char *btid, time_t expires, time_t now,
			char **out, size_t *len, char *err, size_t errlen);

#endif
