// SPDX-License-Identifier: GPL-2.0
/*
 * sgwatch - guest-side helper for the snapshot/restore test of /dev/sysgenid.
 *
 * Opens /dev/sysgenid, reports the generation it opened with, optionally
 * prints a marker line (the host saves the VM when it sees it), then blocks
 * in read() until the generation moves.  After the wake-up it prints the new
 * generation and some bytes of /dev/urandom (which the kernel reseeded on the
 * VM fork, so two clones of one snapshot must print different bytes),
 * acknowledges the generation with write(), and checks that the fd is up to
 * date again (a non-blocking read gives EAGAIN).
 *
 * Every line starts with "DATA sgwatch " (the guest library's data line) and is flushed at once, so that the
 * host sees it on the serial line before the guest is saved.
 *
 * usage: sgwatch [-m MARKER] [-n URANDOM_BYTES] [-t TIMEOUT_S] [-d DEVICE]
 * exit: 0 woke and acked, 1 usage or system error, 2 timed out while blocked
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSFS_GEN "/sys/class/misc/sysgenid/generation"

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("DATA sgwatch ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static int sysfs_generation(unsigned long *gen)
{
	FILE *f = fopen(SYSFS_GEN, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lu", gen) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int read_urandom_hex(size_t n, char *hex)
{
	unsigned char buf[64];
	size_t got = 0, i;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	for (i = 0; i < n; i++)
		sprintf(hex + 2 * i, "%02x", buf[i]);
	hex[2 * n] = '\0';
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/sysgenid", *marker = NULL;
	unsigned long opened = 0;
	size_t nrand = 16;
	unsigned int timeout = 0;
	char hex[2 * 64 + 1];
	struct sigaction sa;
	uint32_t gen, check;
	ssize_t r;
	int fd, opt, flags;

	while ((opt = getopt(argc, argv, "m:n:t:d:")) != -1) {
		switch (opt) {
		case 'm': marker = optarg; break;
		case 'n': nrand = strtoul(optarg, NULL, 0); break;
		case 't': timeout = strtoul(optarg, NULL, 0); break;
		case 'd': dev = optarg; break;
		default:
			fprintf(stderr, "usage: %s [-m MARKER] [-n BYTES<=64] [-t TIMEOUT_S] [-d DEVICE]\n", argv[0]);
			return 1;
		}
	}
	if (nrand < 1 || nrand > 64) {
		fprintf(stderr, "sgwatch: -n must be 1..64\n");
		return 1;
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		say("error open %s: %s", dev, strerror(errno));
		return 1;
	}
	if (sysfs_generation(&opened) < 0) {
		say("error reading %s: %s", SYSFS_GEN, strerror(errno));
		return 1;
	}
	say("open gen=%lu pid=%d", opened, (int)getpid());

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: read() returns EINTR */
	sigaction(SIGALRM, &sa, NULL);

	say("blocking in read()");
	if (marker) {
		/* the marker alone on its line, for the host to match */
		printf("%s\n", marker);
		fflush(stdout);
	}
	if (timeout)
		alarm(timeout);
	for (;;) {
		r = read(fd, &gen, sizeof(gen));
		if (r == (ssize_t)sizeof(gen))
			break;
		if (r < 0 && errno == EINTR && !timed_out)
			continue;
		if (timed_out) {
			say("timeout after %u s, still gen=%lu", timeout, opened);
			return 2;
		}
		say("error read returned %zd: %s", r, r < 0 ? strerror(errno) : "short");
		return 1;
	}
	alarm(0);
	say("woke gen=%lu", (unsigned long)gen);

	if (read_urandom_hex(nrand, hex) < 0) {
		say("error reading /dev/urandom: %s", strerror(errno));
		return 1;
	}
	say("urandom=%s", hex);

	r = write(fd, &gen, sizeof(gen));
	if (r != (ssize_t)sizeof(gen)) {
		say("error ack write returned %zd: %s", r, r < 0 ? strerror(errno) : "short");
		return 1;
	}
	say("acked gen=%lu", (unsigned long)gen);

	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		say("error fcntl: %s", strerror(errno));
		return 1;
	}
	r = read(fd, &check, sizeof(check));
	if (r < 0 && errno == EAGAIN) {
		say("after-ack read=EAGAIN");
	} else {
		say("error after-ack read returned %zd (%s), want EAGAIN", r,
		    r < 0 ? strerror(errno) : "data");
		return 1;
	}
	close(fd);
	return 0;
}
