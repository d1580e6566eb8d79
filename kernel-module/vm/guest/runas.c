// SPDX-License-Identifier: GPL-2.0
/*
 * runas - run a command as another uid (the guest's busybox has no udev and
 * its su wants a password): usage: runas UID GID[,SUPPLEMENTARY,...] CMD ARGS...
 * Sets the supplementary groups (all of the list), the gid, then the uid;
 * dropping from uid 0 clears every capability. Static, for the e2e guest.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	gid_t groups[32];
	int ngroups = 0;
	char *list, *tok;

	if (argc < 4) {
		fprintf(stderr, "usage: runas UID GID[,GID...] CMD ARGS...\n");
		return 2;
	}
	list = strdup(argv[2]);
	for (tok = strtok(list, ","); tok && ngroups < 32; tok = strtok(NULL, ","))
		groups[ngroups++] = (gid_t)atoi(tok);
	if (setgroups(ngroups, groups) || setgid(groups[0]) || setuid((uid_t)atoi(argv[1]))) {
		perror("runas");
		return 2;
	}
	execvp(argv[3], argv + 3);
	perror(argv[3]);
	return 127;
}
