/*
 * The stable part of an MSI's SummaryInformation stream, read with
 * libgsf's OLE property-set reader (gsf_doc_meta_data_read_from_msole): every
 * property but those a rebuild from the same sources changes (the package
 * code in PID_REVNUMBER, the creation, save and print times, the editing
 * time), so that two builds of one installer do not differ by it.
 */
#include <gsf/gsf.h>
#include <stdlib.h>
#include <string.h>

#include "diff/diff_internal.h"
#include "report/json_write.h"

static const char *const volatile_props[] = {
	GSF_META_NAME_REVISION_COUNT, /* PID_REVNUMBER: the package code */
	GSF_META_NAME_DATE_CREATED,   GSF_META_NAME_DATE_MODIFIED,
	GSF_META_NAME_PRINT_DATE,     GSF_META_NAME_EDITING_DURATION,
};

static void on_prop(gpointer key, gpointer value, gpointer user)
{
	const char *name = key;
	json_t *o = user;
	for (size_t i = 0; i < sizeof volatile_props / sizeof *volatile_props; i++)
		if (!strcmp(name, volatile_props[i]))
			return;
	GValue const *v = gsf_doc_prop_get_val((GsfDocProp *)value);
	char *text = v ? g_strdup_value_contents(v) : NULL;
	json_object_set_new(o, name, vg_json_text(text ? text : ""));
	g_free(text);
}

int vg_msi_summary(const uint8_t *p, size_t n, json_t *facts)
{
	GsfInput *in = gsf_input_memory_new(p, (gsf_off_t)n, FALSE);
	GsfDocMetaData *md = in ? gsf_doc_meta_data_new() : NULL;
	if (!md) {
		if (in)
			g_object_unref(in);
		return 0;
	}
	GError *err = gsf_doc_meta_data_read_from_msole(md, in);
	json_t *o = err ? NULL : json_object();
	if (o)
		gsf_doc_meta_data_foreach(md, on_prop, o);
	if (err)
		g_error_free(err);
	g_object_unref(md);
	g_object_unref(in);
	if (!o)
		return 0; /* not a property set: the bytes alone compare */
	char *canon = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	char hex[65];
	int ok = canon && vg_diff_sha256((const uint8_t *)canon, strlen(canon), hex);
	free(canon);
	if (!ok || json_object_set_new(facts, "summary", o) ||
	    json_object_set_new(facts, "summary_digest", json_string(hex)))
		return -1;
	return 0;
}
