/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "log.h"
#include "machine-userns.h"
#include "machine.h"
#include "userns-range.h"

/* systemd-nspawn's lock directory for UID ranges: sharing it keeps our picks and nspawn's apart. */
#define USERNS_LOCK_DIR "/run/systemd/nspawn-uid"

/* The name of the running machine (other than M) whose range overlaps [SHIFT, SHIFT+RANGE), or NULL. */
static const char *machine_userns_conflict(Machine *m, uid_t shift, uint32_t range) {
        Machine *o;

        HASHMAP_FOREACH(o, m->manager->machines)
                if (o != m && o->userns_range > 0 &&
                    userns_ranges_overlap(shift, range, o->userns_shift, o->userns_range))
                        return o->name;
        return NULL;
}

/* Takes the lock of the range at SHIFT, as systemd-nspawn does (an open file description lock on
 * USERNS_LOCK_DIR/SHIFT). Returns the fd, -EBUSY if another holds it, or -errno. */
static int userns_lock(uid_t shift) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        _cleanup_close_ int fd = -EBADF;
        char path[sizeof(USERNS_LOCK_DIR) + 16];

        (void) mkdir("/run/systemd", 0755);
        if (mkdir(USERNS_LOCK_DIR, 0755) < 0 && errno != EEXIST)
                return -errno;
        snprintf(path, sizeof(path), USERNS_LOCK_DIR "/%u", (unsigned) shift);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (fd < 0)
                return -errno;
        if (fcntl(fd, F_OFD_SETLK, &fl) < 0)
                return IN_SET(errno, EAGAIN, EACCES) ? -EBUSY : -errno;
        return fd_move_high(TAKE_FD(fd));
}

/* The userdb services whose answers say nothing about a range PrivateUsers=pick may take, and what each
 * costs per lookup (the check below makes four, for every start):
 *   io.systemd.Machine      systemd-machined: the ranges of registered machines, found by reading
 *                           /proc/LEADER/uid_map of every machine it knows (1000 machines: 1000 files read per
 *                           lookup, issue #17). Ours are in our table (machine_userns_conflict()), nspawn's
 *                           hold their lock in USERNS_LOCK_DIR (userns_lock()).
 *   io.systemd.DynamicUser  PID 1: 61184-65519, below USERNS_PICK_MIN.
 *   io.systemd.Home         systemd-homed: 60001-60513, below USERNS_PICK_MIN.
 *   io.systemd.Multiplexer  systemd-userdbd: asks all of the above; without it nss-systemd asks the others
 *                           (drop-in records) itself.
 * /etc/passwd, /etc/group and any other NSS module (LDAP, ...) are still asked. */
#define USERNS_BYPASS_USERDB "io.systemd.Multiplexer:io.systemd.Machine:io.systemd.DynamicUser:io.systemd.Home"
_Static_assert(USERNS_PICK_MIN > 65535, "the pick range must not overlap the ranges of the bypassed services");

int machine_userns_init_lookups(void) {
        /* nss-systemd reads it at every lookup; an administrator's own setting is kept. */
        return RET_NERRNO(setenv("SYSTEMD_BYPASS_USERDB", USERNS_BYPASS_USERDB, /* overwrite= */ 0));
}

/* The files whose change may change what NSS says of a UID: the user and group files, and the directories
 * of userdb records that nss-systemd reads (its services that cannot know a picked range are bypassed). */
static const char *const host_users_sources[] = {
        "/etc/passwd", "/etc/group", "/etc/userdb", "/run/userdb", "/run/host/userdb", "/usr/local/lib/userdb",
        "/usr/lib/userdb",
};

/* The identity and modification time of one of them (all zero if it is missing). */
typedef struct HostUsersStamp {
        dev_t dev;
        ino_t ino;
        off_t size;
        struct timespec mtim;
} HostUsersStamp;

static void host_users_stamp(HostUsersStamp ret[static ELEMENTSOF(host_users_sources)]) {
        for (size_t i = 0; i < ELEMENTSOF(host_users_sources); i++) {
                struct stat st;

                ret[i] = (HostUsersStamp) {};
                if (stat(host_users_sources[i], &st) >= 0)
                        ret[i] = (HostUsersStamp) {
                                .dev = st.st_dev, .ino = st.st_ino, .size = st.st_size, .mtim = st.st_mtim,
                        };
        }
}

/* Ranges the host's users were found clear of, for a while: the check is four NSS lookups, and nss-systemd
 * reads its userdb directories at every one (some 130 open()s, 0.5 ms on the bench's VM), for every start
 * with PrivateUsers=pick (issue #17). A verdict holds while host_users_stamp() is the same, and for at most
 * HOST_USERS_TTL_USEC (other NSS modules). Only "clear" is kept: a range with users is rare, and skipped. */
#define HOST_USERS_TTL_USEC (30 * USEC_PER_SEC)
#define HOST_USERS_SLOTS 256U
static struct {
        HostUsersStamp stamp[ELEMENTSOF(host_users_sources)];
        struct {
                uid_t shift;
                usec_t until;
        } slots[HOST_USERS_SLOTS];
} host_users_clear;

/* Whether the host's user database knows the ends of the picked range at SHIFT (nspawn's superficial check). */
static bool userns_pick_has_host_users(uid_t shift) {
        uid_t last = shift + USERNS_PICK_RANGE - 2;     /* nspawn checks SHIFT+0xFFFE: 0xFFFF is "nobody" */
        unsigned slot = (shift / USERNS_PICK_RANGE) % HOST_USERS_SLOTS;
        HostUsersStamp stamp[ELEMENTSOF(host_users_sources)];
        usec_t t = now(CLOCK_MONOTONIC);

        host_users_stamp(stamp);
        if (memcmp(stamp, host_users_clear.stamp, sizeof(stamp)) != 0) {
                memset(&host_users_clear, 0, sizeof(host_users_clear));
                memcpy(host_users_clear.stamp, stamp, sizeof(stamp));
        }
        if (host_users_clear.slots[slot].shift == shift && t < host_users_clear.slots[slot].until)
                return false;
        if (getpwuid(shift) || getpwuid(last) || getgrgid(shift) || getgrgid(last))
                return true;
        host_users_clear.slots[slot].shift = shift;
        host_users_clear.slots[slot].until = t + HOST_USERS_TTL_USEC;
        return false;
}

static int machine_userns_take(Machine *m, uid_t shift, uint32_t range, int lock_fd) {
        m->userns_shift = shift;
        m->userns_range = range;
        m->userns_lock_fd = lock_fd;
        return 0;
}

static int pick(Machine *m, uid_t root_owner, char **ret_error) {
        int fd;

        /* First the range the image was shifted to before (chown), so that it is not shifted again; then
         * candidates derived from the name: the same range for the same machine, run after run. */
        for (unsigned attempt = 0; attempt < 101; attempt++) {
                uid_t c = attempt == 0 ? root_owner : userns_pick_candidate(m->name, attempt - 1);

                if (c < USERNS_PICK_MIN || c > USERNS_PICK_MAX || (c & UINT32_C(0xFFFF)) != 0)
                        continue;
                if (machine_userns_conflict(m, c, USERNS_PICK_RANGE))
                        continue;
                if (userns_pick_has_host_users(c))
                        continue;
                fd = userns_lock(c);
                if (fd == -EBUSY)
                        continue;
                if (fd < 0) {
                        if (asprintf(ret_error, "Failed to lock a UID range for machine '%s' in %s: %s", m->name,
                                     USERNS_LOCK_DIR, strerror(-fd)) < 0)
                                *ret_error = NULL;
                        return -MX_ERR_SETUP_FAILED;
                }
                log_debug("Machine %s: picked UID range %u:%u.", m->name, (unsigned) c, (unsigned) USERNS_PICK_RANGE);
                return machine_userns_take(m, c, USERNS_PICK_RANGE, fd);
        }
        if (asprintf(ret_error, "PrivateUsers=pick: no free UID range for machine '%s'", m->name) < 0)
                *ret_error = NULL;
        return -MX_ERR_SETUP_FAILED;
}

static int fixed(Machine *m, uid_t shift, uint32_t range, char **ret_error) {
        const char *where = m->settings_path ?: "PrivateUsers=";
        const char *other;
        int fd;

        other = machine_userns_conflict(m, shift, range);
        if (other) {
                if (asprintf(ret_error, "%s: PrivateUsers=%u:%u overlaps the UID range of running machine '%s'",
                             where, (unsigned) shift, (unsigned) range, other) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }
        fd = userns_lock(shift);
        if (fd == -EBUSY) {
                if (asprintf(ret_error, "%s: PrivateUsers=%u:%u: the range is in use by another container (%s/%u)",
                             where, (unsigned) shift, (unsigned) range, USERNS_LOCK_DIR, (unsigned) shift) < 0)
                        *ret_error = NULL;
                return -MX_ERR_INVALID_SETTINGS;
        }
        if (fd < 0) {
                if (asprintf(ret_error, "Failed to lock the UID range of machine '%s' in %s: %s", m->name,
                             USERNS_LOCK_DIR, strerror(-fd)) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }
        return machine_userns_take(m, shift, range, fd);
}

int machine_userns_setup(Machine *m, ContainerConfig *config, char **ret_error) {
        const Settings *s = m->settings;
        int mode = s && s->private_users.mode >= 0 ? s->private_users.mode : MACHINE_DEFAULT_PRIVATE_USERS;
        uint32_t shift = s && s->private_users.mode >= 0 ? s->private_users.uid_shift : PRIVATE_USERS_SHIFT_FROM_ROOT;
        uint32_t range = s && s->private_users.mode >= 0 ? s->private_users.uid_range : PRIVATE_USERS_RANGE_DEFAULT;
        struct stat st;
        int r;

        if (mode == USER_NAMESPACE_NO)
                return 0;
        if (stat(m->root, &st) < 0) {
                if (asprintf(ret_error, "Failed to look at the root directory %s of machine '%s': %m", m->root,
                             m->name) < 0)
                        *ret_error = NULL;
                return -MX_ERR_SETUP_FAILED;
        }

        if (mode == USER_NAMESPACE_PICK)
                r = pick(m, st.st_uid, ret_error);
        else
                /* "yes": the range starts at the root directory's owner (nspawn). */
                r = fixed(m, shift == PRIVATE_USERS_SHIFT_FROM_ROOT ? st.st_uid : shift, range, ret_error);
        if (r < 0)
                return r;

        config->userns_shift = m->userns_shift;
        config->userns_range = m->userns_range;
        config->userns_ownership = s && s->private_users_ownership >= 0 ? s->private_users_ownership
                                                                        : USER_NAMESPACE_OWNERSHIP_AUTO;
        /* chown needs a 64K range at a multiple of 64K (the low 16 bits are kept): refuse it here, with the
         * settings' name, rather than as a set-up failure. */
        if (config->userns_ownership == USER_NAMESPACE_OWNERSHIP_CHOWN &&
            ((m->userns_shift & UINT32_C(0xFFFF)) != 0 || m->userns_range != 0x10000)) {
                if (asprintf(ret_error, "%s: PrivateUsersOwnership=chown needs a range of 65536 UIDs starting at a "
                             "multiple of 65536, not %u:%u", m->settings_path ?: "settings",
                             (unsigned) m->userns_shift, (unsigned) m->userns_range) < 0)
                        *ret_error = NULL;
                machine_userns_release(m);
                return -MX_ERR_INVALID_SETTINGS;
        }
        return 0;
}

void machine_userns_release(Machine *m) {
        char path[sizeof(USERNS_LOCK_DIR) + 16];

        if (m->userns_lock_fd < 0)
                return;
        /* Unlinked while we hold the lock, as nspawn's release_lock_file() does. */
        snprintf(path, sizeof(path), USERNS_LOCK_DIR "/%u", (unsigned) m->userns_shift);
        (void) unlink(path);
        m->userns_lock_fd = safe_close(m->userns_lock_fd);
        m->userns_lock_stored = false;
        m->userns_shift = 0;
        m->userns_range = 0;
}

/* Whether FD holds the lock of SHIFT: it is the file its path names now (one unlinked meanwhile locks nothing),
 * and the lock is its (F_OFD_SETLK succeeds on a description that holds it already, or on a free one). */
static bool userns_lock_fd_is(int fd, uid_t shift) {
        struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
        char path[sizeof(USERNS_LOCK_DIR) + 16];
        struct stat a, b;

        snprintf(path, sizeof(path), USERNS_LOCK_DIR "/%u", (unsigned) shift);
        return fstat(fd, &a) >= 0 && lstat(path, &b) >= 0 && S_ISREG(a.st_mode) && a.st_dev == b.st_dev &&
               a.st_ino == b.st_ino && fcntl(fd, F_OFD_SETLK, &fl) >= 0;
}

int machine_userns_adopt(Machine *m, uint64_t shift, uint64_t range, int lock_fd) {
        _cleanup_close_ int stored = lock_fd;
        int fd, r;

        if (range == 0 || m->userns_lock_fd >= 0)
                return 0;
        if (shift > UINT32_MAX || range > UINT32_MAX || shift + range > UINT32_MAX)
                return -EBADMSG;
        /* The lock held all along (an open file description lock: it is the description's, whoever has it). */
        bool kept = stored >= 0 && userns_lock_fd_is(stored, (uid_t) shift);
        if (kept)
                fd = fd_move_high(TAKE_FD(stored));
        else
                fd = userns_lock((uid_t) shift);
        if (fd < 0)
                return fd;
        log_debug("Machine %s: adopted UID range %u:%u.", m->name, (unsigned) shift, (unsigned) range);
        r = machine_userns_take(m, (uid_t) shift, (uint32_t) range, fd);
        /* A new lock is not the capsule's: that is stored anew (machine_state_store_fds()). */
        m->userns_lock_stored = kept;
        return r;
}

int machine_userns_adopt_from_leader(Machine *m) {
        _cleanup_fclose_ FILE *f = NULL;
        unsigned inside, outside, count;
        char path[64];

        if (m->leader <= 1 || m->userns_lock_fd >= 0)
                return 0;
        snprintf(path, sizeof(path), "/proc/%i/uid_map", (int) m->leader);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        /* Ours are one line, "0 SHIFT RANGE"; the host's user namespace is "0 0 4294967295". */
        if (fscanf(f, "%u %u %u", &inside, &outside, &count) != 3)
                return -EBADMSG;
        if (inside != 0 || (outside == 0 && count == UINT32_MAX))
                return 0;
        if (count == 0)
                return -EBADMSG;
        return machine_userns_adopt(m, outside, count, -EBADF);
}
