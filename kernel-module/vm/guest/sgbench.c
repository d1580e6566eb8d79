// SPDX-License-Identifier: GPL-2.0
/*
 * sgbench - the C baseline of kernel-module/vm/bench, static, for the guest.
 *
 *   sgbench sub N OUTFILE
 *       N tracked watchers of /dev/sysgenid in one epoll set (level-triggered);
 *       each wake-up reads the generation and acknowledges it at once. For
 *       watcher 0 it notes "GEN CLOCK_MONOTONIC_NS" taken right after the
 *       read (the listener call); on SIGTERM it writes the notes to OUTFILE.
 *       Prints "SUB-READY N" once everything is registered.
 *   sgbench overseer REPS WARMUP TRACKED OUTFILE [WARM_PAUSE_MS]
 *       waits until the driver tracks TRACKED watchers, then REPS+WARMUP times:
 *       t0 = now; TRIGGER; read+ack its own fd; WAIT_WATCHERS (10 s); t1 = now.
 *       Pauses 20 ms before each repetition; before each warm-up one
 *       WARM_PAUSE_MS if given (the JIT's warm-up: thousands of changes, see
 *       guest/bench.sh), and then 2 s before the first measured one, so that
 *       compilations the warm-up queued are done before it.
 *       Writes "GEN T0_NS WAIT_NS" per measured repetition to OUTFILE. The
 *       same overseer measures the C and the Java subscribers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../../sysgenid.h"

#define DEV "/dev/sysgenid"
#define MAX_NOTES 100000

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int sub(int n, const char *out)
{
	static uint32_t note_gen[MAX_NOTES];
	static uint64_t note_t[MAX_NOTES];
	int notes = 0, ep, i;
	int *fds = calloc(n, sizeof(int));
	struct epoll_event ev, *evs = calloc(n, sizeof(ev));
	struct sigaction sa = { .sa_handler = on_term };
	FILE *f;

	sigaction(SIGTERM, &sa, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	for (i = 0; i < n; i++) {
		fds[i] = open(DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fds[i] < 0)
			die("open");
		if (ioctl(fds[i], SYSGENID_SET_WATCHER_TRACKING, 1))
			die("ioctl(TRACKING)");
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			die("epoll_ctl");
	}
	printf("SUB-READY %d\n", n);
	fflush(stdout);
	while (!stop) {
		int k = epoll_wait(ep, evs, n, -1);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < k; i++) {
			int idx = evs[i].data.u32;
			uint32_t gen;

			if (read(fds[idx], &gen, 4) != 4)
				continue; /* acknowledged meanwhile */
			if (idx == 0 && notes < MAX_NOTES) {
				note_t[notes] = now_ns();
				note_gen[notes++] = gen;
			}
			if (write(fds[idx], &gen, 4) != 4 && errno != EINVAL)
				die("write(ack)");
		}
	}
	f = fopen(out, "w");
	if (!f)
		die(out);
	for (i = 0; i < notes; i++)
		fprintf(f, "%u %llu\n", note_gen[i], (unsigned long long)note_t[i]);
	fclose(f);
	return 0;
}

static int tracked_now(void)
{
	FILE *f = fopen("/sys/class/misc/sysgenid/tracked_watchers", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int overseer(int reps, int warmup, int tracked, const char *out, int warm_ms)
{
	int fd = open(DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC), i, tries = 0;
	FILE *f = fopen(out, "w");
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	struct timespec warm_pause = { warm_ms / 1000, (warm_ms % 1000) * 1000 * 1000L };
	struct timespec settle = { 2, 0 };

	if (fd < 0 || !f)
		die("overseer open");
	while (tracked_now() < tracked) {
		if (++tries > 6000) {
			fprintf(stderr, "sgbench: only %d tracked watchers, want %d\n", tracked_now(), tracked);
			return 1;
		}
		nanosleep(&pause, NULL);
	}
	for (i = 0; i < warmup + reps; i++) {
		uint64_t t0, t1;
		uint32_t gen;
		int r;

		if (warm_ms < 0 || i > warmup)
			nanosleep(&pause, NULL);
		else if (i < warmup)
			nanosleep(&warm_pause, NULL);
		else
			nanosleep(&settle, NULL);
		t0 = now_ns();
		if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0))
			die("ioctl(TRIGGER)");
		if (read(fd, &gen, 4) != 4 || write(fd, &gen, 4) != 4)
			die("overseer ack");
		r = ioctl(fd, SYSGENID_WAIT_WATCHERS, 10000);
		t1 = now_ns();
		if (r) {
			fprintf(stderr, "sgbench: WAIT_WATCHERS: %s (gen %u)\n", strerror(errno), gen);
			return 1;
		}
		if (i >= warmup)
			fprintf(f, "%u %llu %llu\n", gen, (unsigned long long)t0, (unsigned long long)(t1 - t0));
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "sub"))
		return sub(atoi(argv[2]), argv[3]);
	if ((argc == 6 || argc == 7) && !strcmp(argv[1], "overseer"))
		return overseer(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), argv[5],
				argc == 7 ? atoi(argv[6]) : -1);
	fprintf(stderr, "usage: sgbench sub N OUTFILE | sgbench overseer REPS WARMUP TRACKED OUTFILE [WARM_PAUSE_MS]\n");
	return 2;
}
