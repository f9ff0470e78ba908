/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Settings + systemd-nspawn's defaults -> the model. (Moved from src/machined-ext/machine.c: machine_load()'s
 * command, notify, stop signal and environment, machine_capabilities(), and the model filled in
 * machine_start().) */

#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>

#include "config-nspawn.h"
#include "log.h"
#include "macro.h"
#include "nspawn-policy.h"
#include "os-release.h"
#include "strv.h"

bool nspawn_boot(const Settings *s) {
        return s && s->boot >= 0 ? s->boot : !(s && s->parameters && s->parameters[0]);
}

int nspawn_command(const Settings *s, bool *ret_boot, char ***ret_argv) {
        _cleanup_strv_free_ char **argv = NULL;
        bool boot;

        /* Like systemd-nspawn@.service (which passes -b): without a command, boot. With Boot=yes, Parameters=
         * are arguments to init. */
        boot = nspawn_boot(s);
        if (boot) {
                if (strv_extend(&argv, "/sbin/init") < 0)
                        return -ENOMEM;
                if (s && s->parameters && strv_extend_strv(&argv, s->parameters) < 0)
                        return -ENOMEM;
        } else {
                argv = strv_copy(s->parameters);
                if (!argv)
                        return -ENOMEM;
        }
        *ret_boot = boot;
        *ret_argv = TAKE_PTR(argv);
        return 0;
}

bool nspawn_notify_ready(const Settings *s, bool boot) {
        /* A booted systemd sends READY=1 when its boot is complete: wait for it, unless told otherwise. */
        return s && s->notify_ready >= 0 ? s->notify_ready : boot;
}

int nspawn_kill_signal(const Settings *s, bool boot) {
        /* systemd inside a container halts on SIGRTMIN+3. Without Boot=, systemd-nspawn(1) terminates the
         * container's processes "abruptly via SIGKILL": a shell, httpd or busybox as PID 1 ignores SIGTERM
         * anyway, and would only make every stop wait out the stop timeout. */
        return s && s->kill_signal > 0 ? s->kill_signal : boot ? SIGRTMIN + 3 : SIGKILL;
}

/* LANG=C.UTF-8 unless booting is nspawn's compiled-in locale: a booted init reads the container's own
 * locale.conf. */
int nspawn_environment(const Settings *s, sd_id128_t id, bool boot, char ***ret) {
        _cleanup_strv_free_ char **env = NULL, **host = NULL;
        _cleanup_free_ char *uuid_assignment = NULL;
        char uuid[SD_ID128_UUID_STRING_MAX];
        int r;

        sd_id128_to_uuid_string(id, uuid);
        if (asprintf(&uuid_assignment, "container_uuid=%s", uuid) < 0)
                return -ENOMEM;

        if (strv_extend(&env, "container=machined-ext") < 0 ||
            strv_extend(&env, uuid_assignment) < 0 ||
            strv_extend(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0 ||
            strv_extend(&env, "NOTIFY_SOCKET=/run/host/notify") < 0)
                return -ENOMEM;
        if (!(s && s->user))
                if (strv_extend(&env, "HOME=/root") < 0 ||
                    strv_extend(&env, "USER=root") < 0 ||
                    strv_extend(&env, "LOGNAME=root") < 0)
                        return -ENOMEM;
        /* A terminal only for the pty modes; like systemd-nspawn, vt220 there. */
        if (strv_extend(&env, s && s->console == CONSOLE_PIPE ? "TERM=dumb" : "TERM=vt220") < 0)
                return -ENOMEM;
        if (!boot && strv_extend(&env, "LANG=C.UTF-8") < 0)
                return -ENOMEM;

        r = os_release_host_env_load("/", &host);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                log_debug_errno(r, "Failed to read the host's os-release, no $container_host_* for %s: %m", uuid);
        STRV_FOREACH(e, host)
                if (strv_env_set(&env, *e) < 0)
                        return -ENOMEM;

        /* The file's keys are unique already: merging searches only the entries above (not quadratic). */
        if (s && strv_env_merge(&env, s->environment) < 0)
                return -ENOMEM;

        *ret = TAKE_PTR(env);
        return 0;
}

uint64_t nspawn_capability_bounding(const Settings *s, bool private_network) {
        uint64_t caps = container_default_capabilities();

        /* As nspawn: (retain | plus | CAP_NET_ADMIN with a private network) & ~minus. */
        if (private_network)
                caps |= UINT64_C(1) << CAP_NET_ADMIN;
        if (!s)
                return caps;
        caps |= s->capability;
        caps &= ~s->drop_capability;
        return caps;
}

void container_config_from_nspawn(const Settings *s, bool private_network, const char *hostname, const char *root,
                                  char **argv, char **envp, ContainerConfig *ret) {
        ContainerConfig config = {
                .hostname = hostname,
                .root = root,
                .argv = argv,
                .envp = envp,
                .stdin_fd = -EBADF,
                .stdout_fd = -EBADF,
                .stderr_fd = -EBADF,
                .console_fd = -EBADF,
                .capability_bounding = nspawn_capability_bounding(s, private_network),
                .private_network = private_network,
                .personality = PERSONALITY_INVALID,
                .oom_score_adjust = OOM_SCORE_ADJUST_UNSET,
                .resolv_conf = RESOLV_CONF_AUTO,
                .timezone = TIMEZONE_AUTO,
                /* systemd inside (Boot=yes) remounts writable mounts to add nosuid/noexec for its services'
                 * sandboxing; seccomp cannot tell that from making a read-only mount writable. */
                .seccomp_keep_read_only = nspawn_boot(s) ? CONTAINER_KEEP_READ_ONLY_NEW_API
                                                         : CONTAINER_KEEP_READ_ONLY_ALL,
        };

        if (s) {
                config.user = s->user;
                config.working_directory = s->working_directory;
                config.capability_ambient = s->ambient_capability == UINT64_MAX ? config.capability_bounding
                                                                                 : s->ambient_capability;
                config.no_new_privileges = s->no_new_privileges > 0;
                config.personality = s->personality;
                config.rlimits = s->rlimit;
                config.oom_score_adjust = s->oom_score_adjust;
                config.cpu_affinity = s->cpu_affinity;
                config.syscall_allow = s->syscall_filter.allow;
                config.syscall_deny = s->syscall_filter.deny;
                config.read_only = s->read_only > 0;
                config.custom_mounts = s->custom_mounts.mounts;
                config.n_custom_mounts = s->custom_mounts.n;
                config.inaccessible = s->inaccessible;
                if (s->resolv_conf >= 0)
                        config.resolv_conf = s->resolv_conf;
                if (s->timezone >= 0)
                        config.timezone = s->timezone;
                /* With a read-only root, "auto" binds the host's resolv.conf and zoneinfo file in (nspawn's
                 * choice: a copy cannot be written). An untrusted file's ReadOnly=yes must not be what turns
                 * host files into binds: the image's own files stay instead. */
                if (!s->trusted && config.read_only) {
                        if (config.resolv_conf == RESOLV_CONF_AUTO)
                                config.resolv_conf = RESOLV_CONF_OFF;
                        if (config.timezone == TIMEZONE_AUTO)
                                config.timezone = TIMEZONE_OFF;
                }
        }
        *ret = config;
}
