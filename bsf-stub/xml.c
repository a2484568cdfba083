/*
 * xml.c: BootstrappingInfo and GUSS documents with libxml2 (TS 24.109
 * Annex C, TS 29.109 Annex A as in gba.md 4.3/4.5; profile P-16, P-18).
 * Every document read or written goes through xmlSchemaValidateDoc.
 */
#include "bsf-stub/xml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

#include "util/timefmt.h"

static xmlSchemaPtr schemas[2];

/* Keeps the first libxml2 error of one operation. */
struct xerr {
	char *buf;
	size_t len;
	bool set;
};

static void xerr_set(struct xerr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void xerr_set(struct xerr *e, const char *fmt, ...)
{
	va_list ap;

	if (e->set || !e->buf || !e->len)
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->len, fmt, ap);
	va_end(ap);
	e->set = true;
}

static void xerr_structured(void *cls, xmlErrorPtr x)
{
	struct xerr *e = cls;
	size_t n;
	char msg[512];

	snprintf(msg, sizeof msg, "%s", x && x->message ? x->message : "invalid document");
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = 0;
	if (x && x->line > 0)
		xerr_set(e, "line %d: %s", x->line, msg);
	else
		xerr_set(e, "%s", msg);
}

static xmlSchemaPtr load_schema(const char *text, const char *name, char *err, size_t errlen)
{
	struct xerr e = { err, errlen, false };
	xmlSchemaParserCtxtPtr pc;
	xmlSchemaPtr s;

	pc = xmlSchemaNewMemParserCtxt(text, (int)strlen(text));
	if (!pc) {
		snprintf(err, errlen, "%s: cannot create schema parser", name);
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pc, xerr_structured, &e);
	s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (!s && !e.set)
		snprintf(err, errlen, "%s: schema does not parse", name);
	return s;
}

int bsf_xml_init(char *err, size_t errlen)
{
	xmlInitParser();
	if (!schemas[BSF_SCHEMA_BOOTINFO])
		schemas[BSF_SCHEMA_BOOTINFO] = load_schema(bsf_xsd_bootstrapping_info,
							   "bootstrapping-info.xsd", err, errlen);
	if (!schemas[BSF_SCHEMA_GUSS])
		schemas[BSF_SCHEMA_GUSS] = load_schema(bsf_xsd_guss, "guss.xsd", err, errlen);
	return schemas[0] && schemas[1] ? 0 : -1;
}

void bsf_xml_cleanup(void)
{
	for (size_t i = 0; i < 2; i++) {
		if (schemas[i])
			xmlSchemaFree(schemas[i]);
		schemas[i] = NULL;
	}
	xmlCleanupParser();
}

/* Untrusted input: no DTD loading, no entity substitution, no network. */
static xmlDocPtr read_doc(const char *xml, size_t len, char *err, size_t errlen)
{
	xmlParserCtxtPtr pc;
	xmlDocPtr doc;

	if (len > BSF_XML_MAX) {
		snprintf(err, errlen, "document larger than %d bytes", BSF_XML_MAX);
		return NULL;
	}
	pc = xmlNewParserCtxt();
	if (!pc) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	doc = xmlCtxtReadMemory(pc, xml, (int)len, "input.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
					XML_PARSE_NOBLANKS);
	if (!doc) {
		xmlErrorPtr x = xmlCtxtGetLastError(pc);
		struct xerr e = { err, errlen, false };

		if (x)
			xerr_structured(&e, x);
		else
			snprintf(err, errlen, "not well-formed XML");
	} else if (doc->intSubset || doc->extSubset) {
		snprintf(err, errlen, "document type declarations are not accepted");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(pc);
	return doc;
}

static int validate_doc(enum bsf_schema which, xmlDocPtr doc, char *err, size_t errlen)
{
	struct xerr e = { err, errlen, false };
	xmlSchemaValidCtxtPtr vc;
	int rc;

	if (!schemas[which]) {
		snprintf(err, errlen, "schemas not loaded");
		return -1;
	}
	vc = xmlSchemaNewValidCtxt(schemas[which]);
	if (!vc) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	xmlSchemaSetValidStructuredErrors(vc, xerr_structured, &e);
	rc = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	if (rc != 0 && !e.set)
		snprintf(err, errlen, "document does not validate");
	return rc == 0 ? 0 : -1;
}

int bsf_xml_validate(enum bsf_schema which, const char *xml, size_t len, char *err,
		     size_t errlen)
{
	xmlDocPtr doc = read_doc(xml, len, err, errlen);
	int rc;

	if (!doc)
		return -1;
	rc = validate_doc(which, doc, err, errlen);
	xmlFreeDoc(doc);
	return rc;
}

/* Serialise a validated document (malloc'ed copy, NUL-terminated). */
static int dump_doc(enum bsf_schema which, xmlDocPtr doc, char **out, size_t *len,
		    char *err, size_t errlen)
{
	xmlChar *buf = NULL;
	int n = 0;

	if (validate_doc(which, doc, err, errlen) != 0)
		return -1;
	xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
	if (!buf || n <= 0 || !(*out = malloc((size_t)n + 1))) {
		xmlFree(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*out, buf, (size_t)n);
	(*out)[n] = 0;
	*len = (size_t)n;
	xmlFree(buf);
	return 0;
}

int bsf_bootinfo_render(const char *btid, time_t expires, time_t now, char **out,
			size_t *len, char *err, size_t errlen)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root, ext;
	xmlNsPtr ns;
	char t[TK_TIME_STR];
	int rc = -1;

	if (!doc)
		goto oom;
	root = xmlNewNode(NULL, BAD_CAST "BootstrappingInfo");
	if (!root)
		goto oom;
	xmlDocSetRootElement(doc, root);
	ns = xmlNewNs(root, BAD_CAST BSF_NS_BSF, NULL);
	xmlSetNs(root, ns);
	tk_time_format(expires, t);
	if (!xmlNewTextChild(root, ns, BAD_CAST "btid", BAD_CAST btid) ||
	    !xmlNewTextChild(root, ns, BAD_CAST "lifetime", BAD_CAST t))
		goto oom;
	/* currenttime lets the UE correct for clock skew (gba.md 4.3). */
	tk_time_format(now, t);
	ext = xmlNewChild(root, ns, BAD_CAST "Extension", NULL);
	if (!ext || !xmlNewTextChild(ext, ns, BAD_CAST "currenttime", BAD_CAST t))
		goto oom;
	rc = dump_doc(BSF_SCHEMA_BOOTINFO, doc, out, len, err, errlen);
	xmlFreeDoc(doc);
	return rc;
oom:
	xmlFreeDoc(doc);
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* ---- GUSS ------------------------------------------------------------ */

static bool is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, BSF_NS_GUSS) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

/* Element text with surrounding XML whitespace removed (malloc'ed). */
static char *text_of(const xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	const char *s = c ? (const char *)c : "";
	size_t a = 0, b = strlen(s);
	char *r;

	while (a < b && strchr(" \t\r\n", s[a]))
		a++;
	while (b > a && strchr(" \t\r\n", s[b - 1]))
		b--;
	r = strndup(s + a, b - a);
	xmlFree(c);
	return r;
}

static int ulong_of(const char *s, unsigned long *v)
{
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* An un-namespaced GUSS: move every element without a namespace into the
 * GUSS namespace (P-18: some HSSs write the pre-Rel-9 form). */
static void adopt_namespace(xmlNodePtr n, xmlNsPtr ns)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!n->ns)
			xmlSetNs(n, ns);
		adopt_namespace(n->children, ns);
	}
}

static int parse_uss(xmlNodePtr u, struct bsf_uss *uss, char *err, size_t errlen)
{
	xmlChar *a;

	a = xmlGetProp(u, BAD_CAST "id");
	uss->id = strdup(a ? (const char *)a : "");
	xmlFree(a);
	a = xmlGetProp(u, BAD_CAST "type");
	if (ulong_of((const char *)a, &uss->type) != 0 || uss->type > 999999) {
		snprintf(err, errlen, "uss %s: type is not a GAA service type code", uss->id);
		xmlFree(a);
		return -1;
	}
	xmlFree(a);
	snprintf(uss->gsid, sizeof uss->gsid, "%lu", uss->type);
	a = xmlGetProp(u, BAD_CAST "nafGroup");
	uss->naf_group = a ? strdup((const char *)a) : NULL;
	xmlFree(a);
	for (xmlNodePtr c = u->children; c; c = c->next) {
		if (is_el(c, "uids")) {
			for (xmlNodePtr d = c->children; d; d = d->next) {
				char **nu;

				if (!is_el(d, "uid"))
					continue;
				nu = realloc(uss->uids, (uss->n_uids + 1) * sizeof *nu);
				if (!nu)
					goto oom;
				uss->uids = nu;
				if (!(uss->uids[uss->n_uids] = text_of(d)))
					goto oom;
				uss->n_uids++;
			}
		} else if (is_el(c, "flags")) {
			for (xmlNodePtr d = c->children; d; d = d->next) {
				unsigned long *nf;
				char *t;
				int bad;

				if (!is_el(d, "flag"))
					continue;
				nf = realloc(uss->flags, (uss->n_flags + 1) * sizeof *nf);
				if (!nf)
					goto oom;
				uss->flags = nf;
				t = text_of(d);
				bad = ulong_of(t, &uss->flags[uss->n_flags]);
				free(t);
				if (bad) {
					snprintf(err, errlen, "uss %s: flag is not an integer", uss->id);
					return -1;
				}
				uss->n_flags++;
			}
		}
	}
	return uss->id ? 0 : -1;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int bsf_guss_parse(const char *xml, size_t len, struct bsf_guss *g, char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlChar *id;
	int rc = -1;

	memset(g, 0, sizeof *g);
	g->lifetime = -1;
	if (!(doc = read_doc(xml, len, err, errlen)))
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!root) {
		snprintf(err, errlen, "empty document");
		goto out;
	}
	if (!root->ns)
		adopt_namespace(root, xmlNewNs(root, BAD_CAST BSF_NS_GUSS, NULL));
	if (!is_el(root, "guss")) {
		snprintf(err, errlen, "root element is not guss in namespace %s", BSF_NS_GUSS);
		goto out;
	}
	if (validate_doc(BSF_SCHEMA_GUSS, doc, err, errlen) != 0)
		goto out;
	id = xmlGetProp(root, BAD_CAST "id");
	g->id = strdup(id ? (const char *)id : "");
	xmlFree(id);
	if (!g->id)
		goto oom;
	for (xmlNodePtr c = root->children; c; c = c->next) {
		if (is_el(c, "bsfInfo")) {
			for (xmlNodePtr d = c->children; d; d = d->next) {
				char *t;
				unsigned long v;

				if (is_el(d, "uiccType")) {
					t = text_of(d);
					g->gba_u = t && strcmp(t, "GBA_U") == 0;
					free(t);
				} else if (is_el(d, "lifeTime")) {
					t = text_of(d);
					if (ulong_of(t, &v) != 0 || v > 10L * 365 * 86400) {
						free(t);
						snprintf(err, errlen, "bsfInfo/lifeTime out of range");
						goto out;
					}
					free(t);
					g->lifetime = (long)v;
				}
			}
		} else if (is_el(c, "ussList")) {
			for (xmlNodePtr u = c->children; u; u = u->next) {
				struct bsf_uss *nu;

				if (!is_el(u, "uss"))
					continue;
				nu = realloc(g->uss, (g->n_uss + 1) * sizeof *nu);
				if (!nu)
					goto oom;
				g->uss = nu;
				memset(&g->uss[g->n_uss], 0, sizeof *nu);
				g->n_uss++;
				if (parse_uss(u, &g->uss[g->n_uss - 1], err, errlen) != 0)
					goto out;
			}
		}
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	xmlFreeDoc(doc);
	if (rc != 0)
		bsf_guss_free(g);
	return rc;
}

void bsf_guss_free(struct bsf_guss *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_uss; i++) {
		struct bsf_uss *u = &g->uss[i];

		free(u->id);
		free(u->naf_group);
		for (size_t j = 0; j < u->n_uids; j++)
			free(u->uids[j]);
		free(u->uids);
		free(u->flags);
	}
	free(g->uss);
	free(g->id);
	memset(g, 0, sizeof *g);
	g->lifetime = -1;
}

int bsf_guss_render(const struct bsf_guss *g, char **out, size_t *len, char *err,
		    size_t errlen)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root, info, list;
	xmlNsPtr ns;
	char num[24];

	if (!doc || !(root = xmlNewNode(NULL, BAD_CAST "guss")))
		goto oom;
	xmlDocSetRootElement(doc, root);
	ns = xmlNewNs(root, BAD_CAST BSF_NS_GUSS, NULL);
	xmlSetNs(root, ns);
	if (!xmlNewProp(root, BAD_CAST "id", BAD_CAST(g->id ? g->id : "")))
		goto oom;
	if (!(info = xmlNewChild(root, ns, BAD_CAST "bsfInfo", NULL)) ||
	    !xmlNewTextChild(info, ns, BAD_CAST "uiccType", BAD_CAST(g->gba_u ? "GBA_U" : "GBA")))
		goto oom;
	if (g->lifetime >= 0) {
		snprintf(num, sizeof num, "%ld", g->lifetime);
		if (!xmlNewTextChild(info, ns, BAD_CAST "lifeTime", BAD_CAST num))
			goto oom;
	}
	if (!(list = xmlNewChild(root, ns, BAD_CAST "ussList", NULL)))
		goto oom;
	for (size_t i = 0; i < g->n_uss; i++) {
		const struct bsf_uss *u = &g->uss[i];
		xmlNodePtr un, uids;

		if (!(un = xmlNewChild(list, ns, BAD_CAST "uss", NULL)) ||
		    !xmlNewProp(un, BAD_CAST "id", BAD_CAST(u->id ? u->id : "")))
			goto oom;
		snprintf(num, sizeof num, "%lu", u->type);
		if (!xmlNewProp(un, BAD_CAST "type", BAD_CAST num))
			goto oom;
		if (u->naf_group && !xmlNewProp(un, BAD_CAST "nafGroup", BAD_CAST u->naf_group))
			goto oom;
		if (!(uids = xmlNewChild(un, ns, BAD_CAST "uids", NULL)))
			goto oom;
		for (size_t j = 0; j < u->n_uids; j++)
			if (!xmlNewTextChild(uids, ns, BAD_CAST "uid", BAD_CAST u->uids[j]))
				goto oom;
		if (u->n_flags) {
			xmlNodePtr fl = xmlNewChild(un, ns, BAD_CAST "flags", NULL);

			if (!fl)
				goto oom;
			for (size_t j = 0; j < u->n_flags; j++) {
				snprintf(num, sizeof num, "%lu", u->flags[j]);
				if (!xmlNewTextChild(fl, ns, BAD_CAST "flag", BAD_CAST num))
					goto oom;
			}
		}
	}
	{
		int rc = dump_doc(BSF_SCHEMA_GUSS, doc, out, len, err, errlen);

		xmlFreeDoc(doc);
		return rc;
	}
oom:
	xmlFreeDoc(doc);
	snprintf(err, errlen, "out of memory");
	return -1;
}
