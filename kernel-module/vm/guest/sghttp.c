// SPDX-License-Identifier: GPL-2.0
/*
 * sghttp - a minimal HTTP/1.1 client for the e2e guest (busybox wget drops the body of
 * a 4xx answer): usage: sghttp METHOD PORT PATH. Connects to 127.0.0.1:PORT, sends
 * "METHOD PATH HTTP/1.1" with "Connection: close", prints the status code alone on
 * the first line, then the body (de-chunked when the answer is chunked). Exit 0 when
 * an answer came, 1 on a connection error (e.g. nothing listens yet), 2 on usage.
 * Static, for the e2e guest.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 30 };
	char req[8192];
	size_t len = 0;
	ssize_t n;
	char *body, *p;
	int fd, code;

	if (argc != 4) {
		fprintf(stderr, "usage: sghttp METHOD PORT PATH\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[2]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("sghttp: connect");
		return 1;
	}
	n = snprintf(req, sizeof(req), "%s %s HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n"
		     "Content-Length: 0\r\nConnection: close\r\n\r\n", argv[1], argv[3]);
	if (write(fd, req, (size_t)n) != n) {
		perror("sghttp: write");
		return 1;
	}
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fd);
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1) {
		fprintf(stderr, "sghttp: no HTTP answer (%zu bytes)\n", len);
		return 1;
	}
	printf("%d\n", code);
	body = strstr(buf, "\r\n\r\n");
	if (!body)
		return 0;
	*body = 0;
	body += 4;
	p = strcasestr(buf, "transfer-encoding: chunked");
	if (!p) {
		fputs(body, stdout);
	} else {
		for (;;) {
			char *end;
			long size = strtol(body, &end, 16);

			if (size <= 0 || !(end = strstr(end, "\r\n")))
				break;
			fwrite(end + 2, 1, (size_t)size, stdout);
			body = end + 2 + size + 2;
		}
	}
	putchar('\n');
	return 0;
}
