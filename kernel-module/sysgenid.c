// SPDX-License-Identifier: GPL-2.0
/*
 * System Generation ID driver (/dev/sysgenid)
 *
 * Keeps one system-wide unsigned 32-bit generation counter, 0 at load, that
 * changes every time the system generation changes: on a VM restore or
 * clone (through the kernel's VM-fork notification, or on kernels older
 * than 5.18 through the ACPI VM Generation ID device) or when a privileged
 * overseer asks for it with SYSGENID_TRIGGER_GEN_UPDATE.
 *
 * Every open file of /dev/sysgenid is a watcher with its own state: the
 * generation it acknowledged last, whether it is outdated (the counter moved
 * since), and whether it is tracked (counted by SYSGENID_WAIT_WATCHERS).
 * The counter is also exposed read-only through a one-page mmap whose first
 * four bytes follow it, for syscall-free checks in hot paths.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>

#include "sysgenid.h"

/* Per open file state. */
struct sysgenid_watcher {
	struct list_head node;	/* on sysgenid_watchers */
	u32 acked_gen;		/* generation acknowledged last */
	bool tracked;		/* counted by SYSGENID_WAIT_WATCHERS */
	bool outdated;		/* the counter moved since acked_gen */
};

/*
 * Locking rules.
 *
 * sysgenid_lock, a mutex, protects the counter (sysgenid_gen and the copy in
 * sysgenid_page), the watcher list, the two counts, and the fields of every
 * struct sysgenid_watcher. Every path that takes it runs in process context:
 * file operations, the VM-fork notifier (a blocking notifier chain) and the
 * ACPI notify handler (run from a workqueue). Nothing sleeps while holding
 * it, and it nests inside no other lock of this driver.
 *
 * Waiters never hold the lock while they sleep. Readers and pollers sleep
 * on sysgenid_change_wq, SYSGENID_WAIT_WATCHERS callers on sysgenid_ack_wq,
 * through wait_event_*(), whose condition is re-checked after every wake-up
 * and reads the fields it needs with READ_ONCE(); writers change those
 * fields with WRITE_ONCE() under the lock. A bump, the only change that can
 * outdate a file, wakes both queues. An acknowledge, untrack or close that
 * brings the outdated count to zero, the only other change that can end a
 * wait, wakes sysgenid_ack_wq. So no wake-up is lost, and an acknowledge
 * does not run the poll callback of every other open file (which would cost
 * O(n) per acknowledge, O(n^2) per change). The sysfs attributes read the
 * values lock-free with READ_ONCE().
 */
static DEFINE_MUTEX(sysgenid_lock);
static LIST_HEAD(sysgenid_watchers);
static DECLARE_WAIT_QUEUE_HEAD(sysgenid_change_wq);	/* read, poll */
static DECLARE_WAIT_QUEUE_HEAD(sysgenid_ack_wq);	/* WAIT_WATCHERS */
static u32 sysgenid_gen;
static unsigned int sysgenid_tracked;	/* tracked watchers */
static unsigned int sysgenid_outdated;	/* tracked and outdated watchers */
static u32 *sysgenid_page;		/* zeroed page shared by every mmap */

/*
 * The next generation: max(min_gen, cur + 1), compared as unsigned 32-bit
 * values, with cur + 1 wrapping from 0xffffffff to 0. The counter always
 * changes: the one case where that max() would return cur itself (cur and
 * min_gen both 0xffffffff) wraps to 0 instead.
 */
static u32 sysgenid_next_gen(u32 cur, u32 min_gen)
{
	u32 next = cur + 1;

	if (min_gen > next && min_gen != cur)
		return min_gen;
	return next;
}

/* Move the counter and outdate every watcher. Returns the new generation. */
static u32 sysgenid_bump(u32 min_gen)
{
	struct sysgenid_watcher *w;
	u32 gen;

	mutex_lock(&sysgenid_lock);
	gen = sysgenid_next_gen(sysgenid_gen, min_gen);
	WRITE_ONCE(sysgenid_gen, gen);
	WRITE_ONCE(*sysgenid_page, gen);
	list_for_each_entry(w, &sysgenid_watchers, node)
		WRITE_ONCE(w->outdated, true);
	WRITE_ONCE(sysgenid_outdated, sysgenid_tracked);
	mutex_unlock(&sysgenid_lock);

	wake_up_interruptible_all(&sysgenid_change_wq);
	wake_up_interruptible_all(&sysgenid_ack_wq);
	return gen;
}

/*
 * Called with sysgenid_lock held: one tracked watcher fewer is outdated.
 * Returns true if that was the last one, so WAIT_WATCHERS callers must wake.
 */
static bool sysgenid_outdated_dec_locked(void)
{
	WRITE_ONCE(sysgenid_outdated, sysgenid_outdated - 1);
	return sysgenid_outdated == 0;
}

/* Called with sysgenid_lock held. Returns true if a waiter should wake. */
static bool sysgenid_untrack_locked(struct sysgenid_watcher *w)
{
	if (!w->tracked)
		return false;
	w->tracked = false;
	WRITE_ONCE(sysgenid_tracked, sysgenid_tracked - 1);
	if (!w->outdated)
		return false;
	return sysgenid_outdated_dec_locked();
}

static int sysgenid_open(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;

	mutex_lock(&sysgenid_lock);
	w->acked_gen = sysgenid_gen;
	list_add(&w->node, &sysgenid_watchers);
	mutex_unlock(&sysgenid_lock);

	file->private_data = w;
	return stream_open(inode, file);
}

static int sysgenid_release(struct inode *inode, struct file *file)
{
	struct sysgenid_watcher *w = file->private_data;
	bool wake;

	mutex_lock(&sysgenid_lock);
	list_del(&w->node);
	wake = sysgenid_untrack_locked(w);
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
	kfree(w);
	return 0;
}

/* Wait until @w is outdated; then give the current generation in @gen. */
static int sysgenid_wait_outdated(struct sysgenid_watcher *w, bool nonblock,
				  u32 *gen)
{
	for (;;) {
		mutex_lock(&sysgenid_lock);
		if (w->outdated) {
			*gen = sysgenid_gen;
			mutex_unlock(&sysgenid_lock);
			return 0;
		}
		mutex_unlock(&sysgenid_lock);

		if (nonblock)
			return -EAGAIN;
		if (wait_event_interruptible(sysgenid_change_wq,
					     READ_ONCE(w->outdated)))
			return -ERESTARTSYS;
	}
}

static ssize_t sysgenid_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	u32 gen;
	int ret;

	if (count == 0)
		return 0;
	if (count < sizeof(gen))
		return -EINVAL;

	ret = sysgenid_wait_outdated(w, file->f_flags & O_NONBLOCK, &gen);
	if (ret)
		return ret;
	if (copy_to_user(buf, &gen, sizeof(gen)))
		return -EFAULT;
	return sizeof(gen);
}

static ssize_t sysgenid_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	struct sysgenid_watcher *w = file->private_data;
	bool wake = false;
	ssize_t ret = sizeof(u32);
	u32 gen;

	if (count != sizeof(gen))
		return -ENOBUFS;
	if (copy_from_user(&gen, buf, sizeof(gen)))
		return -EFAULT;

	mutex_lock(&sysgenid_lock);
	if (gen != sysgenid_gen) {
		ret = -EINVAL;
		goto out_unlock;
	}
	w->acked_gen = gen;
	if (w->outdated) {
		WRITE_ONCE(w->outdated, false);
		if (w->tracked)
			wake = sysgenid_outdated_dec_locked();
	}
out_unlock:
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
	return ret;
}

static __poll_t sysgenid_poll(struct file *file, poll_table *wait)
{
	struct sysgenid_watcher *w = file->private_data;

	poll_wait(file, &sysgenid_change_wq, wait);
	if (READ_ONCE(w->outdated))
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static void sysgenid_set_tracking(struct sysgenid_watcher *w, bool track)
{
	bool wake = false;

	mutex_lock(&sysgenid_lock);
	if (!track) {
		wake = sysgenid_untrack_locked(w);
	} else if (!w->tracked) {
		w->tracked = true;
		WRITE_ONCE(sysgenid_tracked, sysgenid_tracked + 1);
		if (w->outdated)
			WRITE_ONCE(sysgenid_outdated, sysgenid_outdated + 1);
	}
	mutex_unlock(&sysgenid_lock);

	if (wake)
		wake_up_interruptible_all(&sysgenid_ack_wq);
}

static bool sysgenid_waiters_done(struct sysgenid_watcher *w)
{
	return READ_ONCE(w->outdated) || READ_ONCE(sysgenid_outdated) == 0;
}

/*
 * Block until no tracked watcher is outdated. Fails with -EINTR when the
 * caller's own file is (or becomes) outdated, or on a signal, and with
 * -ETIME when @timeout_ms (0: none) expires first.
 */
static long sysgenid_wait_watchers(struct sysgenid_watcher *w,
				   unsigned long timeout_ms)
{
	long ret;

	if (timeout_ms == 0) {
		ret = wait_event_interruptible(sysgenid_ack_wq,
					       sysgenid_waiters_done(w));
	} else {
		ret = wait_event_interruptible_timeout(sysgenid_ack_wq,
			sysgenid_waiters_done(w),
			msecs_to_jiffies(min_t(unsigned long, timeout_ms,
					       UINT_MAX)));
		if (ret == 0)
			return -ETIME;
	}
	if (ret < 0 || READ_ONCE(w->outdated))
		return -EINTR;
	return 0;
}

/* The counter is system-wide: only the initial user namespace may move it. */
static bool sysgenid_may_trigger(void)
{
#ifdef CAP_CHECKPOINT_RESTORE
	if (capable(CAP_CHECKPOINT_RESTORE))
		return true;
#endif
	return capable(CAP_SYS_ADMIN);
}

static long sysgenid_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct sysgenid_watcher *w = file->private_data;

	switch (cmd) {
	case SYSGENID_SET_WATCHER_TRACKING:
		sysgenid_set_tracking(w, arg != 0);
		return 0;
	case SYSGENID_WAIT_WATCHERS:
		return sysgenid_wait_watchers(w, arg);
	case SYSGENID_TRIGGER_GEN_UPDATE:
		if (!sysgenid_may_trigger())
			return -EACCES;
		sysgenid_bump(lower_32_bits(arg));
		return 0;
	default:
		/* -EINVAL, not -ENOTTY: the error the existing ABI returns */
		return -EINVAL;
	}
}

static void sysgenid_vma_set_flags(struct vm_area_struct *vma)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYWRITE);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_flags &= ~VM_MAYWRITE;
#endif
}

/*
 * One read-only page at offset 0 whose first four bytes are the counter.
 * A bump is visible to every mapping on the first read of the page after
 * sysgenid_bump() has stored it; nothing orders that store against the
 * other effects of the bump as seen from user space, and a reader can of
 * course see the old value just before a bump that is still on its way.
 */
static int sysgenid_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma_pages(vma) != 1)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;

	sysgenid_vma_set_flags(vma);
	return vm_insert_page(vma, vma->vm_start, virt_to_page(sysgenid_page));
}

static const struct file_operations sysgenid_fops = {
	.owner		= THIS_MODULE,
	.open		= sysgenid_open,
	.release	= sysgenid_release,
	.read		= sysgenid_read,
	.write		= sysgenid_write,
	.poll		= sysgenid_poll,
	.unlocked_ioctl	= sysgenid_ioctl,
	.compat_ioctl	= sysgenid_ioctl,	/* arguments are plain integers */
	.mmap		= sysgenid_mmap,
};

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_gen));
}
static DEVICE_ATTR_RO(generation);

static ssize_t tracked_watchers_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_tracked));
}
static DEVICE_ATTR_RO(tracked_watchers);

static ssize_t outdated_watchers_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sysgenid_outdated));
}
static DEVICE_ATTR_RO(outdated_watchers);

static struct attribute *sysgenid_attrs[] = {
	&dev_attr_generation.attr,
	&dev_attr_tracked_watchers.attr,
	&dev_attr_outdated_watchers.attr,
	NULL
};
ATTRIBUTE_GROUPS(sysgenid);

static struct miscdevice sysgenid_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "sysgenid",
	.fops	= &sysgenid_fops,
	.groups	= sysgenid_groups,
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 18, 0)
/*
 * Hardware backend, Linux 5.18 and later: the kernel's own vmgenid driver
 * owns the ACPI device. On a new VM generation id it mixes the id into the
 * RNG, reseeds the CRNG at once, and only then runs the VM-fork notifier
 * chain, from process context.
 */
static int sysgenid_vmfork_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	pr_info("VM fork notified, generation now %u\n", sysgenid_bump(0));
	return NOTIFY_DONE;
}

static struct notifier_block sysgenid_vmfork_nb = {
	.notifier_call = sysgenid_vmfork_notify,
};

static int sysgenid_hw_init(void)
{
	int ret;

	if (!IS_ENABLED(CONFIG_VMGENID))
		pr_info("kernel built without CONFIG_VMGENID: software trigger only\n");
	ret = register_random_vmfork_notifier(&sysgenid_vmfork_nb);
	if (ret)
		pr_err("cannot register the VM-fork notifier: %d\n", ret);
	return ret;
}

static void sysgenid_hw_exit(void)
{
	unregister_random_vmfork_notifier(&sysgenid_vmfork_nb);
}

#elif IS_ENABLED(CONFIG_ACPI)
/*
 * Hardware backend, kernels older than 5.18 (UNTESTED: the kernels at hand
 * are newer): bind the ACPI VM Generation ID device ourselves, read the
 * 128-bit id at the address its ADDR method gives, and bump the counter
 * when a notification brings a different id. The new id is mixed into the
 * RNG with add_device_randomness(); these kernels export no way for a
 * module to force an immediate CRNG reseed.
 */
#include <linux/acpi.h>
#include <linux/io.h>
#include <linux/string.h>

#define SYSGENID_VMGENID_LEN	16

struct sysgenid_vmgenid {
	struct mutex lock;	/* serialises notifications */
	u8 *id;			/* the id in guest memory */
	u8 last[SYSGENID_VMGENID_LEN];
};

static int sysgenid_vmgenid_addr(struct acpi_device *adev, phys_addr_t *phys)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	union acpi_object *obj, *el;
	int ret = -EINVAL;

	if (ACPI_FAILURE(acpi_evaluate_object(adev->handle, "ADDR", NULL, &buf)))
		return -ENODEV;
	obj = buf.pointer;
	if (!obj || obj->type != ACPI_TYPE_PACKAGE || obj->package.count != 2)
		goto out;
	el = obj->package.elements;
	if (el[0].type != ACPI_TYPE_INTEGER || el[1].type != ACPI_TYPE_INTEGER)
		goto out;
	*phys = (phys_addr_t)el[0].integer.value |
		(phys_addr_t)el[1].integer.value << 32;
	ret = 0;
out:
	ACPI_FREE(buf.pointer);
	return ret;
}

static int sysgenid_vmgenid_add(struct acpi_device *adev)
{
	struct sysgenid_vmgenid *st;
	phys_addr_t phys;
	int ret;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	ret = sysgenid_vmgenid_addr(adev, &phys);
	if (ret)
		goto err_free;
	st->id = memremap(phys, SYSGENID_VMGENID_LEN, MEMREMAP_WB);
	if (!st->id) {
		ret = -ENOMEM;
		goto err_free;
	}
	mutex_init(&st->lock);
	memcpy(st->last, st->id, SYSGENID_VMGENID_LEN);
	add_device_randomness(st->last, SYSGENID_VMGENID_LEN);
	adev->driver_data = st;
	return 0;

err_free:
	kfree(st);
	return ret;
}

static int sysgenid_vmgenid_remove(struct acpi_device *adev)
{
	struct sysgenid_vmgenid *st = acpi_driver_data(adev);

	memunmap(st->id);
	kfree(st);
	return 0;
}

static void sysgenid_vmgenid_notify(struct acpi_device *adev, u32 event)
{
	struct sysgenid_vmgenid *st = acpi_driver_data(adev);
	u8 id[SYSGENID_VMGENID_LEN];
	bool changed;

	mutex_lock(&st->lock);
	memcpy(id, st->id, SYSGENID_VMGENID_LEN);
	changed = memcmp(id, st->last, SYSGENID_VMGENID_LEN) != 0;
	if (changed)
		memcpy(st->last, id, SYSGENID_VMGENID_LEN);
	mutex_unlock(&st->lock);

	if (!changed)
		return;
	add_device_randomness(id, SYSGENID_VMGENID_LEN);
	pr_info("VM generation id changed, generation now %u\n",
		sysgenid_bump(0));
}

static const struct acpi_device_id sysgenid_vmgenid_ids[] = {
	{ "VMGENCTR", 0 },
	{ "VM_GEN_COUNTER", 0 },
	{ }
};
MODULE_DEVICE_TABLE(acpi, sysgenid_vmgenid_ids);

static struct acpi_driver sysgenid_vmgenid_driver = {
	.name	= "sysgenid_vmgenid",
	.ids	= sysgenid_vmgenid_ids,
	.owner	= THIS_MODULE,
	.ops	= {
		.add	= sysgenid_vmgenid_add,
		.remove	= sysgenid_vmgenid_remove,
		.notify	= sysgenid_vmgenid_notify,
	},
};

static int sysgenid_hw_init(void)
{
	return acpi_bus_register_driver(&sysgenid_vmgenid_driver);
}

static void sysgenid_hw_exit(void)
{
	acpi_bus_unregister_driver(&sysgenid_vmgenid_driver);
}

#else
static int sysgenid_hw_init(void)
{
	pr_info("no hardware backend: software trigger only\n");
	return 0;
}

static void sysgenid_hw_exit(void)
{
}
#endif

static int __init sysgenid_init(void)
{
	int ret;

	sysgenid_page = (u32 *)get_zeroed_page(GFP_KERNEL);
	if (!sysgenid_page)
		return -ENOMEM;

	ret = misc_register(&sysgenid_misc);
	if (ret)
		goto err_free_page;

	ret = sysgenid_hw_init();
	if (ret)
		goto err_deregister;

	pr_info("loaded, /dev/%s generation %u\n", sysgenid_misc.name,
		sysgenid_gen);
	return 0;

err_deregister:
	misc_deregister(&sysgenid_misc);
err_free_page:
	free_page((unsigned long)sysgenid_page);
	return ret;
}

static void __exit sysgenid_exit(void)
{
	sysgenid_hw_exit();
	misc_deregister(&sysgenid_misc);
	free_page((unsigned long)sysgenid_page);
}

module_init(sysgenid_init);
module_exit(sysgenid_exit);

MODULE_DESCRIPTION("System Generation ID driver (/dev/sysgenid)");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1.0");
