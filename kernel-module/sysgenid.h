/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * User-space interface of /dev/sysgenid (System Generation ID)
 *
 * Shared by the driver, its self-tests and any C consumer. The names and
 * numbers are those of the System Generation ID interface that Amazon Linux
 * microVM kernels ship, so programs written against either work with both.
 */
#ifndef _UAPI_LINUX_SYSGENID_H
#define _UAPI_LINUX_SYSGENID_H

#include <linux/ioctl.h>

#define SYSGENID_IOCTL			0xE4

/* arg: 0 stops, non-zero starts counting this fd as a tracked watcher */
#define SYSGENID_SET_WATCHER_TRACKING	_IO(SYSGENID_IOCTL, 1)
/* arg: timeout in milliseconds, 0 waits without a timeout */
#define SYSGENID_WAIT_WATCHERS		_IO(SYSGENID_IOCTL, 2)
/* arg: minimum new generation, read as an unsigned 32-bit value */
#define SYSGENID_TRIGGER_GEN_UPDATE	_IO(SYSGENID_IOCTL, 3)

#endif /* _UAPI_LINUX_SYSGENID_H */
