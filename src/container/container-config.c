/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of the model that need no privileges: done by container_spawn() before anything is cloned, so that
 * bad input is -EINVAL in the caller, never an assert() and never a half-made container. */

#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "container-config.h"
#include "macro.h"
#include "tables.h"

/* The OCI names without their SCMP_ACT_ prefix. */
static const char *const container_seccomp_action_table[_CONTAINER_SECCOMP_ACTION_MAX] = {
        [CONTAINER_SECCOMP_ALLOW]        = "ALLOW",
        [CONTAINER_SECCOMP_ERRNO]        = "ERRNO",
        [CONTAINER_SECCOMP_KILL_THREAD]  = "KILL_THREAD",
        [CONTAINER_SECCOMP_KILL_PROCESS] = "KILL_PROCESS",
        [CONTAINER_SECCOMP_TRAP]         = "TRAP",
        [CONTAINER_SECCOMP_LOG]          = "LOG",
        [CONTAINER_SECCOMP_TRACE]        = "TRACE",
};

DEFINE_STRING_TABLE(container_seccomp_action, ContainerSeccompAction, _CONTAINER_SECCOMP_ACTION_MAX)

static bool seccomp_action_valid(ContainerSeccompAction a, uint16_t data) {
        if (a < 0 || a >= _CONTAINER_SECCOMP_ACTION_MAX)
                return false;
        if (a == CONTAINER_SECCOMP_ERRNO)
                return data <= CONTAINER_SECCOMP_ERRNO_MAX;
        return a == CONTAINER_SECCOMP_TRACE || data == 0;
}

static int seccomp_profile_validate(const ContainerSeccompProfile *p) {
        if (!seccomp_action_valid(p->default_action, p->default_data) ||
            (p->flags & ~CONTAINER_SECCOMP_FLAGS_SUPPORTED) != 0 || (p->n_architectures > 0 && !p->architectures) ||
            (p->n_rules > 0 && !p->rules))
                return -EINVAL;
        for (size_t i = 0; i < p->n_architectures; i++)
                if (p->architectures[i] == 0)
                        return -EINVAL;
        for (size_t i = 0; i < p->n_rules; i++) {
                const ContainerSeccompRule *r = p->rules + i;

                if (isempty(r->name) || !seccomp_action_valid(r->action, r->data) ||
                    r->n_args > CONTAINER_SECCOMP_ARGS_MAX)
                        return -EINVAL;
                for (size_t j = 0; j < r->n_args; j++)
                        if (r->args[j].index >= CONTAINER_SECCOMP_ARGS_MAX ||
                            r->args[j].op < CONTAINER_SECCOMP_OP_NE || r->args[j].op > CONTAINER_SECCOMP_OP_MASKED_EQ)
                                return -EINVAL;
        }
        return 0;
}

int container_namespace_clone_flag(ContainerNamespaceType t) {
        switch (t) {
        case CONTAINER_NAMESPACE_NET:
                return CLONE_NEWNET;
        case CONTAINER_NAMESPACE_UTS:
                return CLONE_NEWUTS;
        case CONTAINER_NAMESPACE_IPC:
                return CLONE_NEWIPC;
        case CONTAINER_NAMESPACE_USER:
                return CLONE_NEWUSER;
        case CONTAINER_NAMESPACE_PID:
                return CLONE_NEWPID;
        case CONTAINER_NAMESPACE_MOUNT:
                return CLONE_NEWNS;
        case CONTAINER_NAMESPACE_CGROUP:
                return CLONE_NEWCGROUP;
        default:
                return -EINVAL;
        }
}

const char *container_config_joined_namespace(const ContainerConfig *c, ContainerNamespaceType t) {
        for (size_t i = 0; i < c->n_join_namespaces; i++)
                if (c->join_namespaces[i].type == t)
                        return c->join_namespaces[i].path;
        return NULL;
}

bool container_config_new_namespace(const ContainerConfig *c, ContainerNamespaceType t) {
        int flag = container_namespace_clone_flag(t);

        if (flag < 0 || container_config_joined_namespace(c, t))
                return false;
        if (t == CONTAINER_NAMESPACE_NET)
                return c->private_network;
        if (t == CONTAINER_NAMESPACE_USER)
                return c->n_uid_map > 0 || c->userns_range > 0;
        return !(c->shared_namespaces & (unsigned long) flag);
}

ContainerKeepReadOnly container_config_keep_read_only(const ContainerConfig *c) {
        if (container_config_new_namespace(c, CONTAINER_NAMESPACE_USER) ||
            container_config_joined_namespace(c, CONTAINER_NAMESPACE_USER))
                return CONTAINER_KEEP_READ_ONLY_NO;
        return c->seccomp_keep_read_only;
}

bool container_config_init_uses_libmount(const ContainerConfig *c) {
        return c->n_custom_mounts > 0 || c->no_pivot;
}

static const char *namespace_type_name(ContainerNamespaceType t) {
        static const char *const names[_CONTAINER_NAMESPACE_TYPE_MAX] = {
                [CONTAINER_NAMESPACE_NET] = "network",
                [CONTAINER_NAMESPACE_UTS] = "uts",
                [CONTAINER_NAMESPACE_IPC] = "ipc",
                [CONTAINER_NAMESPACE_USER] = "user",
                [CONTAINER_NAMESPACE_PID] = "pid",
                [CONTAINER_NAMESPACE_MOUNT] = "mount",
                [CONTAINER_NAMESPACE_CGROUP] = "cgroup",
        };
        return t >= 0 && t < _CONTAINER_NAMESPACE_TYPE_MAX ? names[t] : "unknown";
}

int container_namespace_open(const ContainerNamespace *n, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        const char *what;
        int flag, type;

        if (!n || !n->path || !ret_error)
                return -EINVAL;
        what = n->origin ?: n->path;
        flag = container_namespace_clone_flag(n->type);
        if (flag < 0)
                return flag;
        fd = open(n->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int r = -errno;
                if (asprintf(ret_error, "%s: cannot open %s: %s", what, n->path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        /* setns() would check the type too, but only in the child, and a regular file would reach it. */
        type = ioctl(fd, NS_GET_NSTYPE);
        if (type != flag) {
                if (asprintf(ret_error, "%s: %s is not a %s namespace", what, n->path,
                             namespace_type_name(n->type)) < 0)
                        *ret_error = NULL;
                return -EMEDIUMTYPE;
        }
        return TAKE_FD(fd);
}

static bool path_is_sane(const char *p) {
        /* Absolute, and no ".." component. */
        if (!p || p[0] != '/')
                return false;
        for (const char *s = p; (s = strstr(s, "..")); s += 2)
                if ((s == p || s[-1] == '/') && (s[2] == 0 || s[2] == '/'))
                        return false;
        return true;
}

int sysctl_key_check(const char *key, bool new_net, bool new_ipc) {
        static const char *const ipc_prefixes[] = {
                "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
                "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.",
        };

        if (isempty(key) || strlen(key) > 256 || key[strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.-")] != 0 ||
            key[0] == '.' || strstr(key, ".."))
                return -EINVAL;
        /* Only sysctls that belong to a namespace of the container's own: anything else would change the
         * host (runc's rule). */
        if (startswith(key, "net."))
                return new_net ? 0 : -EPERM;
        for (size_t i = 0; i < ELEMENTSOF(ipc_prefixes); i++)
                if (startswith(key, ipc_prefixes[i]))
                        return new_ipc ? 0 : -EPERM;
        return -EPERM;
}

int container_config_validate(const ContainerConfig *c) {
        bool new_net, new_ipc;

        if (!c || !path_is_sane(c->root) || isempty(c->hostname) || !c->argv || isempty(c->argv[0]))
                return -EINVAL;
        if (c->release_fifo && c->release_fifo[0] != '/')
                return -EINVAL;
        if (c->process_ids_set && (c->user || c->uid == (uid_t) -1 || c->gid == (gid_t) -1 ||
                                   (c->n_additional_gids > 0 && !c->additional_gids)))
                return -EINVAL;
        if (c->umask_set && (c->umask & ~0777) != 0)
                return -EINVAL;
        if (c->preserve_fds > CONTAINER_PRESERVE_FDS_MAX)
                return -EINVAL;
        if (c->capabilities_set && (c->capability_effective & ~c->capability_permitted) != 0)
                return -EINVAL;

        if (c->userns_range > 0 &&
            (c->n_uid_map > 0 || (uint64_t) c->userns_shift + c->userns_range > UINT32_MAX ||
             c->userns_ownership < 0 || c->userns_ownership >= _USER_NAMESPACE_OWNERSHIP_MAX ||
             (c->userns_ownership == USER_NAMESPACE_OWNERSHIP_CHOWN &&
              ((c->userns_shift & UINT32_C(0xFFFF)) != 0 || c->userns_range != 0x10000))))
                return -EINVAL;
        if (c->n_uid_map > CONTAINER_ID_MAP_MAX || c->n_gid_map > CONTAINER_ID_MAP_MAX ||
            (c->n_uid_map > 0) != (c->n_gid_map > 0) || (c->n_uid_map > 0 && (!c->uid_map || !c->gid_map)))
                return -EINVAL;
        for (size_t i = 0; i < c->n_uid_map + c->n_gid_map; i++) {
                const ContainerIdMap *m = i < c->n_uid_map ? c->uid_map + i : c->gid_map + (i - c->n_uid_map);

                if (m->count == 0 || m->inside > UINT32_MAX - m->count || m->outside > UINT32_MAX - m->count)
                        return -EINVAL;
        }

        for (size_t i = 0; i < c->n_join_namespaces; i++) {
                const ContainerNamespace *n = c->join_namespaces + i;

                if (container_namespace_clone_flag(n->type) < 0 || !path_is_sane(n->path))
                        return -EINVAL;
                for (size_t j = 0; j < i; j++)
                        if (c->join_namespaces[j].type == n->type)
                                return -EINVAL;
        }
        if (c->private_network && container_config_joined_namespace(c, CONTAINER_NAMESPACE_NET))
                return -EINVAL;
        /* A joined user namespace has its maps already; PrivateUsers= makes one of its own. */
        if (container_config_joined_namespace(c, CONTAINER_NAMESPACE_USER) && (c->n_uid_map > 0 || c->userns_range > 0))
                return -EINVAL;
        if ((c->shared_namespaces & ~(unsigned long) (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)) != 0)
                return -EINVAL;
        for (size_t i = 0; i < c->n_join_namespaces; i++)
                if (c->shared_namespaces & (unsigned long) container_namespace_clone_flag(c->join_namespaces[i].type))
                        return -EINVAL;

        new_net = c->private_network;
        new_ipc = container_config_new_namespace(c, CONTAINER_NAMESPACE_IPC);
        for (char **s = c->sysctls; s && *s; s++) {
                _cleanup_free_ char *key = NULL;
                const char *eq = strchr(*s, '=');
                int r;

                if (!eq || strchr(eq + 1, '\n'))
                        return -EINVAL;
                key = strndup(*s, eq - *s);
                if (!key)
                        return -ENOMEM;
                r = sysctl_key_check(key, new_net, new_ipc);
                if (r < 0)
                        return -EINVAL;
        }

        for (size_t i = 0; i < c->n_devices; i++) {
                const ContainerDevice *d = c->devices + i;

                if (!path_is_sane(d->path) || !startswith(d->path, "/dev/") || d->path[5] == 0 ||
                    d->path[strlen(d->path) - 1] == '/' || !IN_SET(d->type, S_IFCHR, S_IFBLK, S_IFIFO) ||
                    (d->mode & ~07777) != 0)
                        return -EINVAL;
        }

        if (c->seccomp_profile && seccomp_profile_validate(c->seccomp_profile) < 0)
                return -EINVAL;

        for (size_t i = 0; i < c->n_mounts; i++) {
                const ContainerMount *m = c->mounts + i;
                const unsigned known = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                       MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                                       MOUNT_ATTR_NOSYMFOLLOW;

                if (isempty(m->type) || !path_is_sane(m->destination) || (m->attr & ~known) != 0 ||
                    !IN_SET(m->propagation, 0UL, (unsigned long) MS_PRIVATE, (unsigned long) MS_SLAVE,
                            (unsigned long) MS_SHARED, (unsigned long) MS_UNBINDABLE))
                        return -EINVAL;
                if (streq(m->type, "bind") && (!path_is_sane(m->source) || m->options))
                        return -EINVAL;
                for (char **o = m->options; o && *o; o++)
                        if (isempty(*o) || **o == '=')
                                return -EINVAL;
        }

        for (char **p = c->readonly_paths; p && *p; p++)
                if (!path_is_sane(*p))
                        return -EINVAL;
        for (char **p = c->masked_paths; p && *p; p++)
                if (!path_is_sane(*p))
                        return -EINVAL;
        return 0;
}
