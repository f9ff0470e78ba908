/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* features: the runtime-spec features document (features.md) of what this runtime and the libraries it is
 * linked with support. */

#include <json-c/json.h>
#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>

#include "libmount-dl.h"
#include "oci-cli.h"

static json_object *strings(const char *const *l) {
        json_object *a = json_object_new_array();

        for (; a && *l; l++)
                (void) json_object_array_add(a, json_object_new_string(*l));
        return a;
}

static json_object *mount_options(void) {
        json_object *a = json_object_new_array();
        const struct libmnt_optmap *map = dlopen_libmount() >= 0 ? sym_mnt_get_builtin_optmap(MNT_LINUX_MAP) : NULL;

        for (; a && map && map->name; map++) {
                /* "ro", "rw", "nosuid", ...: the names without "=" arguments or "[...]" markup */
                size_t n = strcspn(map->name, "=[");
                char *s = strndup(map->name, n);
                if (s && n > 0)
                        (void) json_object_array_add(a, json_object_new_string(s));
                free(s);
        }
        static const char *const extra[] = { "bind", "rbind", "shared", "rshared", "slave", "rslave", "private",
                                             "rprivate", "unbindable", "runbindable", NULL };
        for (const char *const *e = extra; a && *e; e++)
                (void) json_object_array_add(a, json_object_new_string(*e));
        return a;
}

static json_object *capabilities(void) {
        json_object *a = json_object_new_array();

        for (cap_value_t c = 0; a && c < (cap_value_t) cap_max_bits(); c++) {
                char *name = cap_to_name(c), *upper = NULL;

                /* cap_to_name() says "cap_chown", or the number for one libcap has no name for */
                if (name && startswith(name, "cap_") && (upper = strdup(name))) {
                        for (char *p = upper; *p; p++)
                                *p = (char) toupper((unsigned char) *p);
                        (void) json_object_array_add(a, json_object_new_string(upper));
                }
                free(upper);
                cap_free(name);
        }
        return a;
}

int verb_features(int argc, char **argv) {
        static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "poststop", NULL };
        static const char *const namespaces[] = { "cgroup", "ipc", "mount", "network", "pid", "user", "uts",
                                                  NULL };
        static const char *const actions[] = { "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", NULL };
        static const char *const operators[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
                                                 "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
        static const char *const archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                             "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL };
        json_object *o, *linux_o, *cgroup, *seccomp, *off, *off2, *annotations;
        const struct scmp_version *v = seccomp_version();
        char version[64];

        if (argc != 1) {
                oci_error(EINVAL, "features: takes no arguments");
                return EXIT_FAILURE;
        }

        o = json_object_new_object();
        linux_o = json_object_new_object();
        cgroup = json_object_new_object();
        seccomp = json_object_new_object();
        off = json_object_new_object();
        off2 = json_object_new_object();
        annotations = json_object_new_object();
        if (!o || !linux_o || !cgroup || !seccomp || !off || !off2 || !annotations) {
                oci_error(ENOMEM, "Out of memory");
                return EXIT_FAILURE;
        }
        (void) json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        (void) json_object_object_add(o, "ociVersionMax", json_object_new_string("1.2.0"));
        (void) json_object_object_add(o, "hooks", strings(hooks));
        (void) json_object_object_add(o, "mountOptions", mount_options());

        (void) json_object_object_add(linux_o, "namespaces", strings(namespaces));
        (void) json_object_object_add(linux_o, "capabilities", capabilities());
        (void) json_object_object_add(cgroup, "v1", json_object_new_boolean(false));
        (void) json_object_object_add(cgroup, "v2", json_object_new_boolean(true));
        (void) json_object_object_add(cgroup, "systemd", json_object_new_boolean(true));
        (void) json_object_object_add(cgroup, "systemdUser", json_object_new_boolean(false));
        (void) json_object_object_add(linux_o, "cgroup", cgroup);
        (void) json_object_object_add(seccomp, "enabled", json_object_new_boolean(true));
        (void) json_object_object_add(seccomp, "actions", strings(actions));
        (void) json_object_object_add(seccomp, "operators", strings(operators));
        (void) json_object_object_add(seccomp, "archs", strings(archs));
        (void) json_object_object_add(linux_o, "seccomp", seccomp);
        (void) json_object_object_add(off, "enabled", json_object_new_boolean(false));
        (void) json_object_object_add(linux_o, "apparmor", off);
        (void) json_object_object_add(off2, "enabled", json_object_new_boolean(false));
        (void) json_object_object_add(linux_o, "selinux", off2);
        (void) json_object_object_add(o, "linux", linux_o);

        snprintf(version, sizeof(version), "%u.%u.%u", v ? v->major : 0, v ? v->minor : 0, v ? v->micro : 0);
        (void) json_object_object_add(annotations, "io.github.seccomp.libseccomp.version",
                                      json_object_new_string(version));
        (void) json_object_object_add(annotations, "org.machinedext.version", json_object_new_string(PACKAGE_VERSION));
        (void) json_object_object_add(o, "annotations", annotations);

        printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return EXIT_SUCCESS;
}
