/*
 * dmgls FILE: opens FILE with the container reader the registry picks
 * (containers/registry.c) and prints one line per member in mkdmg's
 * --manifest format: "file <sha256> <name>", "dir - <name>",
 * "symlink - <name> -> <target>", "hardlink - <name> -> <target>",
 * "unreadable - <name>", "damaged - <name>: <error>". For the DMG tests
 * and bench/dmg.sh; exit 2 when FILE is no container or does not open.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/util.h"
#include "containers/container.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dmgls FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 2;
	}
	vg_blob b = {NULL, fd, (uint64_t)st.st_size};
	static uint8_t head[65536], buf[1 << 17];
	size_t hn;
	vg_blob_pread(&b, head, sizeof head, 0, &hn);
	const vg_container_ops *ops = vg_container_detect(&b, head, hn, argv[1]);
	if (!ops) {
		fprintf(stderr, "dmgls: '%s' is no container vigil reads\n", argv[1]);
		return 2;
	}
	char err[VG_C_ERRLEN];
	void *s = ops->open(&b, err);
	if (!s) {
		fprintf(stderr, "dmgls: '%s': %s\n", argv[1], err);
		return 2;
	}
	vg_digests *d = vg_digests_new();
	int rc = 0;
	for (;;) {
		vg_member m;
		int r = ops->next(s, &m, err);
		if (r == VG_C_END)
			break;
		if (r == VG_C_FATAL) {
			printf("damaged - (container): %s\n", err);
			rc = 1;
			break;
		}
		if (r == VG_C_DAMAGED) {
			printf("damaged - %s: %s\n", m.name ? m.name : "?", err);
			rc = 1;
			continue;
		}
		if (m.type == VG_MEMBER_DIR) {
			printf("dir - %s\n", m.name);
			continue;
		}
		if (m.type == VG_MEMBER_SYMLINK || m.type == VG_MEMBER_HARDLINK) {
			printf("%s - %s -> %s\n", m.type == VG_MEMBER_SYMLINK ? "symlink" : "hardlink",
			       m.name, m.link ? m.link : "");
			continue;
		}
		if (m.unreadable) {
			printf("unreadable - %s\n", m.name);
			continue;
		}
		char *name = vg_strdup(m.name);
		size_t got;
		vg_digests_init(d);
		while ((r = ops->read(s, buf, sizeof buf, &got, err)) == VG_C_OK)
			vg_digests_update(d, buf, got);
		if (r != VG_C_END) {
			printf("damaged - %s: %s\n", name, err);
			rc = 1;
		} else {
			uint8_t md5[16], sha1[20], sha[32];
			char hex[65];
			vg_digests_final(d, md5, sha1, sha);
			vg_hex(sha, 32, hex);
			printf("file %s %s\n", hex, name);
		}
		free(name);
	}
	vg_digests_free(d);
	ops->close(s);
	close(fd);
	return rc;
}
