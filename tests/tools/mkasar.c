/*
 * mkasar [--integrity] [--block-size N] [--unpack PATH]... OUT DIR
 *
 * Write an Electron asar archive OUT holding the tree under DIR, for the
 * asar reader's tests: directories nest, a file with an execute bit is
 * "executable", a symlink is a "link" entry, each --unpack PATH (relative
 * to DIR) is marked "unpacked" and its bytes are left out of the archive
 * and copied to OUT.unpacked/PATH instead (as Electron keeps them), and --integrity adds Electron's integrity record (SHA-256 of
 * the file and of each block of N bytes, 4 MiB unless told). Entries are
 * written in byte order of their names.
 *
 * mkasar --list FILE [FORMAT]: list FILE's members through vigil's reader
 * of FORMAT ("asar" unless told; any format of the container registry,
 * e.g. "pe-overlay"), one line each: "TYPE SIZE SHA256 NAME" (TYPE f, d, l, u for unpacked, ! for a
 * damaged member or a failed read, with the message for a SHA-256), so a
 * test can hold the reader against another tool's listing.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcntl.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "containers/container.h"


static char **unpack;
static int nunpack;
static int integrity;
static long long block_size = 4 << 20;
static const char *out_path;
static uint8_t *data;
static size_t data_len, data_cap;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "mkasar: %s '%s': %s\n", what, path, strerror(errno));
	exit(2);
}

static void hex(const uint8_t *md, char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void sha256(const uint8_t *p, size_t n, char out[65])
{
	uint8_t md[32];
	unsigned int len = 0;
	if (!EVP_Digest(p, n, md, &len, EVP_sha256(), NULL)) {
		fprintf(stderr, "mkasar: sha256 failed\n");
		exit(2);
	}
	hex(md, out);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open", path);
	uint8_t *b = NULL;
	size_t cap = 0;
	*n = 0;
	for (;;) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 4096;
			b = realloc(b, cap);
			if (!b)
				die("out of memory", path);
		}
		size_t r = fread(b + *n, 1, cap - *n, f);
		*n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		die("cannot read", path);
	fclose(f);
	return b;
}

/* Copy n bytes to OUT.unpacked/rel, making the folders on the way. */
static void write_unpacked(const char *rel, const uint8_t *b, size_t n)
{
	char p[8192];
	snprintf(p, sizeof p, "%s.unpacked/%s", out_path, rel);
	for (char *s = p + strlen(out_path) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0755) && errno != EEXIST)
			die("cannot create", p);
		*s = '/';
	}
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(b, 1, n, f) != n || fclose(f))
		die("cannot write", p);
}

static json_t *file_entry(const char *path, const char *rel, const struct stat *st)
{
	json_t *e = json_object();
	size_t n;
	uint8_t *b = slurp(path, &n);
	json_object_set_new(e, "size", json_integer((json_int_t)n));
	int unp = 0;
	for (int i = 0; i < nunpack; i++)
		unp |= strcmp(unpack[i], rel) == 0;
	if (unp) {
		json_object_set_new(e, "unpacked", json_true());
		write_unpacked(rel, b, n);
	} else {
		char off[32];
		snprintf(off, sizeof off, "%zu", data_len);
		json_object_set_new(e, "offset", json_string(off));
		while (data_len + n > data_cap) {
			data_cap = data_cap ? data_cap * 2 : 65536;
			data = realloc(data, data_cap);
			if (!data)
				die("out of memory", path);
		}
		if (n)
			memcpy(data + data_len, b, n);
		data_len += n;
	}
	if (st->st_mode & 0111)
		json_object_set_new(e, "executable", json_true());
	if (integrity) {
		char h[65];
		json_t *in = json_object(), *blocks = json_array();
		json_object_set_new(in, "algorithm", json_string("SHA256"));
		sha256(b, n, h);
		json_object_set_new(in, "hash", json_string(h));
		json_object_set_new(in, "blockSize", json_integer(block_size));
		size_t bs = (size_t)block_size, i = 0;
		do {
			size_t k = n - i < bs ? n - i : bs;
			sha256(b + i, k, h);
			json_array_append_new(blocks, json_string(h));
			i += k;
		} while (i < n);
		json_object_set_new(in, "blocks", blocks);
		json_object_set_new(e, "integrity", in);
	}
	free(b);
	return e;
}

static json_t *dir_entry(const char *path, const char *rel)
{
	DIR *d = opendir(path);
	if (!d)
		die("cannot open directory", path);
	char **names = NULL;
	size_t nn = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = realloc(names, (nn + 1) * sizeof *names);
		names[nn++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof *names, cmp);
	json_t *files = json_object();
	for (size_t i = 0; i < nn; i++) {
		char sub[4096], subrel[4096];
		snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
		snprintf(subrel, sizeof subrel, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		struct stat st;
		if (lstat(sub, &st))
			die("cannot stat", sub);
		json_t *e;
		if (S_ISDIR(st.st_mode)) {
			e = json_object();
			json_object_set_new(e, "files", dir_entry(sub, subrel));
		} else if (S_ISLNK(st.st_mode)) {
			char t[4096];
			ssize_t k = readlink(sub, t, sizeof t - 1);
			if (k < 0)
				die("cannot read link", sub);
			t[k] = 0;
			e = json_object();
			json_object_set_new(e, "link", json_string(t));
		} else {
			e = file_entry(sub, subrel, &st);
		}
		json_object_set_new(files, names[i], e);
		free(names[i]);
	}
	free(names);
	return files;
}

static void put32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	fwrite(b, 1, 4, f);
}

static int list(const char *path, const char *format)
{
	const vg_container_ops *R = NULL;
	for (size_t i = 0; vg_container_readers[i]; i++)
		if (!strcmp(vg_container_readers[i]->format, format))
			R = vg_container_readers[i];
	if (!R) {
		fprintf(stderr, "mkasar: no reader of '%s'\n", format);
		return 2;
	}
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st))
		die("cannot open", path);
	vg_blob src = {NULL, fd, (uint64_t)st.st_size};
	uint8_t head[65536];
	size_t n = 0;
	if (vg_blob_pread(&src, head, sizeof head, 0, &n) ||
	    !R->probe(&src, head, n, path)) {
		fprintf(stderr, "mkasar: '%s' is not %s\n", path, format);
		return 1;
	}
	char err[VG_C_ERRLEN] = "";
	void *a = R->open(&src, err);
	if (!a) {
		fprintf(stderr, "mkasar: '%s': %s\n", path, err);
		return 1;
	}
	vg_member m;
	int r, bad = 0;
	while ((r = R->next(a, &m, err)) != VG_C_END && r != VG_C_FATAL) {
		if (r == VG_C_DAMAGED) {
			printf("! - %s %s\n", err, m.name ? m.name : "?");
			bad = 1;
			continue;
		}
		char h[65] = "-";
		char t = m.type == VG_MEMBER_DIR ? 'd' : m.type == VG_MEMBER_SYMLINK ? 'l' : 'f';
		if (m.unreadable)
			t = 'u';
		if (t == 'f') {
			EVP_MD_CTX *c = EVP_MD_CTX_new();
			uint8_t buf[4096], md[32];
			size_t got;
			unsigned int ml = 0;
			EVP_DigestInit_ex(c, EVP_sha256(), NULL);
			while ((r = R->read(a, buf, sizeof buf, &got, err)) == VG_C_OK)
				EVP_DigestUpdate(c, buf, got);
			EVP_DigestFinal_ex(c, md, &ml);
			EVP_MD_CTX_free(c);
			if (r != VG_C_END) {
				printf("! - %s %s\n", err, m.name);
				bad = 1;
				continue;
			}
			hex(md, h);
		}
		printf("%c %llu %s %s%s%s\n", t, (unsigned long long)(m.size == VG_SIZE_UNKNOWN ? 0 : m.size),
		       h, m.name, m.link ? " -> " : "", m.link ? m.link : "");
	}
	if (r == VG_C_FATAL) {
		fprintf(stderr, "mkasar: '%s': %s\n", path, err);
		bad = 1;
	}
	R->close(a);
	close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "--list"))
		return list(argv[2], argc == 4 ? argv[3] : "asar");
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--integrity"))
			integrity = 1;
		else if (!strcmp(argv[i], "--block-size") && i + 1 < argc)
			block_size = atoll(argv[++i]);
		else if (!strcmp(argv[i], "--unpack") && i + 1 < argc) {
			unpack = realloc(unpack, (size_t)(nunpack + 1) * sizeof *unpack);
			unpack[nunpack++] = argv[++i];
		} else
			break;
	}
	if (argc - i != 2 || block_size <= 0) {
		fprintf(stderr, "usage: mkasar [--integrity] [--block-size N] "
				"[--unpack PATH]... OUT DIR\n");
		return 2;
	}
	out_path = argv[i];
	json_t *root = json_object();
	json_object_set_new(root, "files", dir_entry(argv[i + 1], ""));
	char *s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s) {
		fprintf(stderr, "mkasar: cannot write the header\n");
		return 2;
	}
	uint32_t slen = (uint32_t)strlen(s);
	uint32_t padded = (slen + 3) & ~3u;
	uint32_t payload = 4 + padded;
	FILE *f = fopen(argv[i], "wb");
	if (!f)
		die("cannot create", argv[i]);
	put32(f, 4);
	put32(f, payload + 4);
	put32(f, payload);
	put32(f, slen);
	fwrite(s, 1, slen, f);
	fwrite("\0\0\0", 1, padded - slen, f);
	if (data_len)
		fwrite(data, 1, data_len, f);
	if (fclose(f))
		die("cannot write", argv[i]);
	free(s);
	free(data);
	json_decref(root);
	free(unpack);
	return 0;
}
