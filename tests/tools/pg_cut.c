/*
 * A one-connection TCP relay that breaks the connection in the middle of
 * a push, for tests/e2e/fleet_retry.sh: it listens on a free 127.0.0.1
 * port (written to PORTFILE), relays one client to 127.0.0.1:TARGET, and
 * once BYTES bytes went from the client to the server:
 *   cut   closes both sides (a network failure mid-COPY);
 *   hold  stops relaying and creates MARKFILE, then waits until the
 *         client is gone (the test kills it) and closes the server side.
 * usage: pg_cut PORTFILE TARGET BYTES cut|hold MARKFILE
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int connect_to(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	return s;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fputs("usage: pg_cut PORTFILE TARGET BYTES cut|hold MARKFILE\n", stderr);
		return 2;
	}
	int target = atoi(argv[2]);
	long long limit = atoll(argv[3]);
	int hold = strcmp(argv[4], "hold") == 0;
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 4) != 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) != 0) {
		perror("pg_cut: listen");
		return 2;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *pf = fopen(tmp, "w");
	if (!pf || fprintf(pf, "%d\n", ntohs(a.sin_port)) < 0 || fclose(pf) != 0 ||
	    rename(tmp, argv[1]) != 0) {
		perror("pg_cut: port file");
		return 2;
	}
	int c = accept(ls, NULL, NULL);
	int s = c >= 0 ? connect_to(target) : -1;
	if (s < 0) {
		perror("pg_cut: relay");
		return 2;
	}
	long long sent = 0;
	char buf[16384];
	for (;;) {
		struct pollfd p[2] = {{c, POLLIN, 0}, {s, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents) {
			size_t want = sizeof buf;
			if (limit - sent < (long long)want)
				want = (size_t)(limit - sent);
			ssize_t n = want ? read(c, buf, want) : 0;
			if (n <= 0)
				break;
			if (write(s, buf, (size_t)n) != n)
				break;
			sent += n;
			if (sent >= limit)
				break;
		}
		if (p[1].revents) {
			ssize_t n = read(s, buf, sizeof buf);
			if (n <= 0 || write(c, buf, (size_t)n) != n)
				break;
		}
	}
	if (sent >= limit && hold) {
		int m = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (m >= 0)
			close(m);
		/* relay nothing more; wait for the client to go */
		while (read(c, buf, sizeof buf) > 0)
			;
	}
	close(c);
	close(s);
	close(ls);
	return 0;
}
