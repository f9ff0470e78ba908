/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "name.h"
#include "os-release.h"
#include "strv.h"

#define OS_RELEASE_LINE_MAX 4096
#define WHITESPACE " \t\n\r"

static const char *const host_fields[] = { "ID", "VERSION_ID", "BUILD_ID", "VARIANT_ID" };

static bool is_host_field(const char *key, size_t n) {
        for (size_t i = 0; i < ELEMENTSOF(host_fields); i++)
                if (strlen(host_fields[i]) == n && strneq(host_fields[i], key, n))
                        return true;
        return false;
}

/* Handles one line. Returns 0 (also for lines that are skipped) or -ENOMEM. */
static int os_release_line(char *line, char ***env) {
        _cleanup_free_ char *value = NULL, *extra = NULL, *assignment = NULL;
        const char *p;
        char *eq, *key;
        size_t n;
        int r;

        key = line + strspn(line, WHITESPACE);
        if (IN_SET(*key, '#', ';', 0))
                return 0;
        eq = strchr(key, '=');
        if (!eq)
                return 0;
        n = eq - key;
        while (n > 0 && strchr(WHITESPACE, key[n - 1]))
                n--;
        if (!is_host_field(key, n))
                return 0;

        p = eq + 1;
        r = extract_first_word(&p, &value, EXTRACT_UNQUOTE);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* bad quoting: skipped, like a malformed line */
        if (r == 0)
                value = strdup("");
        if (!value)
                return -ENOMEM;
        /* One word only: an unquoted value with spaces is not valid os-release. */
        r = extract_first_word(&p, &extra, EXTRACT_UNQUOTE);
        if (r == -ENOMEM)
                return r;
        if (r != 0 || !env_value_is_valid(value))
                return 0;

        if (asprintf(&assignment, "container_host_%.*s=%s", (int) n, key, value) < 0)
                return -ENOMEM;
        for (char *c = assignment + strlen("container_host_"); *c != '='; c++)
                *c = (char) tolower((unsigned char) *c);

        return strv_env_set(env, assignment);
}

int os_release_host_env(FILE *f, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        char line[OS_RELEASE_LINE_MAX];
        int r;

        if (!f || !ret)
                return -EINVAL;

        while (fgets(line, sizeof(line), f)) {
                size_t n = strlen(line);

                if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
                        /* Longer than any sane os-release line: skip the rest of it. */
                        int c;
                        while ((c = fgetc(f)) != EOF && c != '\n')
                                ;
                        continue;
                }
                line[strcspn(line, "\r\n")] = 0;

                r = os_release_line(line, &env);
                if (r < 0)
                        return r;
        }
        if (ferror(f))
                return -EIO;

        *ret = TAKE_PTR(env);
        return 0;
}

int os_release_host_env_load(const char *root, char ***ret) {
        static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
        int r = -ENOENT;

        if (!ret)
                return -EINVAL;

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_fclose_ FILE *f = NULL;
                _cleanup_free_ char *p = NULL;

                if (asprintf(&p, "%s%s", streq_ptr(root, "/") ? "" : strempty(root), paths[i]) < 0)
                        return -ENOMEM;
                f = fopen(p, "re");
                if (!f) {
                        r = -errno;
                        if (r == -ENOENT)
                                continue;
                        return r;
                }
                return os_release_host_env(f, ret);
        }
        return r;
}
