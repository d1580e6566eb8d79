// SPDX-License-Identifier: GPL-2.0
/*
 * sgaccess - what the calling user may do with /dev/sysgenid, one action per
 * run (the Debian guest runs it as users in and outside group sysgenid, and
 * as the root of a user namespace). Prints "ACTION: ok ..." or "ACTION: ERRNO"
 * (the errno's name) and exits 0 when the action succeeded, 1 when the kernel
 * refused it, 2 on a usage error.
 *
 *   read-map   open read-only, poll, map the page: the counter it shows
 *   track      open read-write, start tracking, acknowledge the current counter
 *   track-ro   open read-only, start tracking (the driver refuses: EBADF)
 *   ack-ro     open read-only, acknowledge (the VFS refuses the write: EBADF)
 *   trigger    open read-only, move the counter (needs CAP_CHECKPOINT_RESTORE)
 *
 * usage: sgaccess ACTION [DEVICE]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../sysgenid.h"

static int refused(const char *action, const char *what)
{
	printf("%s: %s (%s)\n", action, strerrorname_np(errno) ? strerrorname_np(errno) : "?", what);
	return 1;
}

int main(int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : "";
	const char *dev = argc > 2 ? argv[2] : "/dev/sysgenid";
	int rw = !strcmp(action, "track");
	uint32_t gen;
	int fd;

	if (strcmp(action, "read-map") && strcmp(action, "track") && strcmp(action, "track-ro") &&
	    strcmp(action, "ack-ro") && strcmp(action, "trigger")) {
		fprintf(stderr, "usage: sgaccess read-map|track|track-ro|ack-ro|trigger [DEVICE]\n");
		return 2;
	}
	fd = open(dev, (rw ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return refused(action, rw ? "open read-write" : "open read-only");
	if (!strcmp(action, "read-map")) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const volatile uint32_t *page;

		if (poll(&p, 1, 0) < 0)
			return refused(action, "poll");
		page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (page == MAP_FAILED)
			return refused(action, "mmap");
		printf("%s: ok (poll revents %#x, mapped counter %u)\n", action, p.revents, page[0]);
		return 0;
	}
	if (!strcmp(action, "track") || !strcmp(action, "track-ro")) {
		if (ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1) < 0)
			return refused(action, "SET_WATCHER_TRACKING");
		if (!strcmp(action, "track-ro")) {
			printf("%s: ok (a read-only fd was tracked)\n", action);
			return 0;
		}
	}
	if (!strcmp(action, "track") || !strcmp(action, "ack-ro")) {
		const volatile uint32_t *page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);

		if (page == MAP_FAILED)
			return refused(action, "mmap");
		gen = page[0];
		if (write(fd, &gen, sizeof(gen)) != sizeof(gen))
			return refused(action, "write (acknowledge)");
		printf("%s: ok (acknowledged %u)\n", action, gen);
		return 0;
	}
	if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0) < 0)
		return refused(action, "TRIGGER_GEN_UPDATE");
	printf("%s: ok (the counter moved)\n", action);
	return 0;
}
