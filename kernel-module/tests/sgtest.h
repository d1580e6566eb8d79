/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small TAP helpers and /dev/sysgenid helpers shared by the self-tests.
 * Output: "TAP version 13", "1..N", one "ok"/"not ok" line per test and a
 * closing "N passed, N failed" line (", N skipped" when some were skipped).
 */
#ifndef SGTEST_H
#define SGTEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../sysgenid.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define SG_DEV		"/dev/sysgenid"
#define SG_SYSFS	"/sys/class/misc/sysgenid/"

enum { TEST_PASS = 0, TEST_FAIL = 1, TEST_SKIP = 2 };

static int tap_count, tap_passed, tap_failed, tap_skipped;

static inline void tap_plan(int n)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
}

static inline void tap_result(int result, const char *desc, const char *why)
{
	tap_count++;
	switch (result) {
	case TEST_PASS:
		tap_passed++;
		printf("ok %d - %s\n", tap_count, desc);
		break;
	case TEST_SKIP:
		tap_skipped++;
		printf("ok %d - %s # SKIP %s\n", tap_count, desc,
		       why ? why : "");
		break;
	default:
		tap_failed++;
		printf("not ok %d - %s\n", tap_count, desc);
		break;
	}
}

static inline int tap_finish(void)
{
	printf("%d passed, %d failed", tap_passed, tap_failed);
	if (tap_skipped)
		printf(", %d skipped", tap_skipped);
	printf("\n");
	return tap_failed ? 1 : 0;
}

/* "# ..." diagnostic line */
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Fail the current test (return TEST_FAIL) when cond is false. */
#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		int e_ = errno;						\
		printf("# %s:%d: check failed: %s: ", __func__,		\
		       __LINE__, #cond);				\
		printf(__VA_ARGS__);					\
		printf(" (errno %d: %s)\n", e_, strerror(e_));		\
		return TEST_FAIL;					\
	}								\
} while (0)

static inline long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

/*
 * A sysfs attribute of the device: one decimal number and a newline.
 * Returns the number, or -1 (with a diagnostic) on error or bad format.
 */
static inline long long sg_sysfs(const char *name)
{
	char path[128], buf[64];
	unsigned long long v;
	ssize_t n;
	char *end;
	int fd;

	snprintf(path, sizeof(path), SG_SYSFS "%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		diag("open %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[n - 1] != '\n') {
		diag("%s: bad content", path);
		return -1;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end != buf + n - 1 || buf[0] < '0' || buf[0] > '9' ||
	    v > UINT32_MAX) {
		diag("%s: bad number '%s'", path, buf);
		return -1;
	}
	return (long long)v;
}

static inline uint32_t sg_gen(void)
{
	return (uint32_t)sg_sysfs("generation");
}

/* The driver's rule: max(min, cur + 1) unsigned, and never cur itself. */
static inline uint32_t sg_next_gen(uint32_t cur, uint32_t min)
{
	uint32_t next = cur + 1;

	return (min > next && min != cur) ? min : next;
}

static inline int sg_trigger_fd(int fd, unsigned long min)
{
	return ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, min);
}

static inline int sg_track(int fd, unsigned long on)
{
	return ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, on);
}

static inline int sg_wait(int fd, unsigned long timeout_ms)
{
	return ioctl(fd, SYSGENID_WAIT_WATCHERS, timeout_ms);
}

static inline ssize_t sg_read(int fd, uint32_t *gen)
{
	return read(fd, gen, sizeof(*gen));
}

static inline ssize_t sg_write(int fd, uint32_t gen)
{
	return write(fd, &gen, sizeof(gen));
}

#endif /* SGTEST_H */
