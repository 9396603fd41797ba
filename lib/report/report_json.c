/*
 * The public text writers of <vigil/report.h>: a finding, and the scan's
 * "file" record, on the writers of json_write.h.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <vigil/escape.h>
#include <vigil/filestate.h>
#include <vigil/report.h>

#include "report/json_write.h"

char *vigil_finding_json(const vigil_finding *f)
{
	return f ? vg_json_dump(vg_json_finding(f)) : NULL;
}

static int put_digests(json_t *rec, const vigil_file_result *r)
{
	if (!r->hashed)
		return 0;
	int bad = vg_json_put(rec, "md5", vg_json_hex(r->md5, sizeof r->md5));
	bad |= vg_json_put(rec, "sha1", vg_json_hex(r->sha1, sizeof r->sha1));
	bad |= vg_json_put(rec, "sha256", vg_json_hex(r->sha256, sizeof r->sha256));
	return bad;
}

static json_t *findings(const vigil_file_result *r)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->nfindings; i++) {
		if (json_array_append_new(a, vg_json_finding(&r->findings[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* A member's chain: the top-level path, then each member name as
 * stored, each written like a path; with b64, each name's raw bytes in
 * base64 instead. */
static json_t *chain(const vigil_file_result *r, int b64)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < r->chain_len; i++) {
		const char *c = r->chain[i] ? r->chain[i] : "";
		json_t *v = b64 ? vg_json_base64((const uint8_t *)c, strlen(c))
				: vg_json_path(c);
		if (json_array_append_new(a, v) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static int chain_utf8(const vigil_file_result *r)
{
	for (size_t i = 0; i < r->chain_len; i++)
		if (r->chain[i] && !vigil_utf8_valid(r->chain[i], strlen(r->chain[i])))
			return 0;
	return 1;
}

/* The user name of uid, or NULL; the last answer is kept per thread, as
 * a sweep's files mostly share an owner. */
static const char *user_name(uint32_t uid)
{
	static _Thread_local uint32_t last_uid;
	static _Thread_local int have; /* 1 name, -1 none */
	static _Thread_local char last[256];
	if (have && last_uid == uid)
		return have > 0 ? last : NULL;
	struct passwd pw, *res = NULL;
	char buf[4096];
	have = -1;
	last_uid = uid;
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof buf, &res) == 0 && res &&
	    res->pw_name && strlen(res->pw_name) < sizeof last) {
		memcpy(last, res->pw_name, strlen(res->pw_name) + 1);
		have = 1;
	}
	return have > 0 ? last : NULL;
}

/* What the file system says of a file on disk: times (RFC 3339 with
 * nanoseconds), owner and permission bits. */
static int put_stat(json_t *rec, const vigil_file_stat *st)
{
	char mode[16];
	snprintf(mode, sizeof mode, "%04o", (unsigned)(st->mode & 07777));
	const char *user = user_name(st->uid);
	int bad = vg_json_put(rec, "mtime", vg_json_time_ns(st->mtime_ns));
	bad |= vg_json_put(rec, "ctime", vg_json_time_ns(st->ctime_ns));
	bad |= vg_json_put(rec, "uid", json_integer((json_int_t)st->uid));
	bad |= vg_json_put(rec, "owner", user ? vg_json_text(user) : json_null());
	bad |= vg_json_put(rec, "mode", json_string(mode));
	return bad;
}

char *vigil_file_result_json(const vigil_file_result *r)
{
	if (!r)
		return NULL;
	json_t *rec = vg_json_record("file");
	int bad = vg_json_put_path(rec, "path", r->path);
	if (r->chain && r->chain_len > 1) {
		bad |= vg_json_put(rec, "container", chain(r, 0));
		if (!chain_utf8(r))
			bad |= vg_json_put(rec, "container_b64", chain(r, 1));
	}
	bad |= vg_json_put(rec, "size", json_integer((json_int_t)r->size));
	if (r->stat)
		bad |= put_stat(rec, r->stat);
	bad |= put_digests(rec, r);
	bad |= vg_json_put(rec, "score", json_integer(r->score));
	bad |= vg_json_put(rec, "level",
			   json_string(vigil_level_name(vigil_score_level(r->score))));
	bad |= vg_json_put(rec, "findings", findings(r));
	bad |= vg_json_put(rec, "skip", r->skip ? json_string(vigil_skip_name(r->skip))
						 : json_null());
	bad |= vg_json_put(rec, "error", r->error ? json_string(vigil_error_name(r->error))
						   : json_null());
	if (r->skip_detail)
		bad |= vg_json_put(rec, "skip_detail", vg_json_text(r->skip_detail));
	if (r->error_detail)
		bad |= vg_json_put(rec, "error_detail", vg_json_text(r->error_detail));
	if (bad) {
		/* a record with keys missing would read as a different result */
		json_decref(rec);
		return NULL;
	}
	return vg_json_dump(rec);
}
