/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup tree of status (cgroup-show.h): read /sys/fs/cgroup/<ControlGroup>/ recursively, each cgroup's
 * cgroup.procs and each process's /proc/PID/cmdline, then print it the way systemd's cgroup-show.c does. */

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-show.h"
#include "escape.h"
#include "json-output.h"
#include "strv.h"

static inline void closedirp(DIR **d) {
        if (*d)
                (void) closedir(*d);
}

/* A command line longer than this is cut (the kernel allows far more; nobody reads that much in a tree). */
#define CMDLINE_MAX (64U * 1024U)

static void cgroup_process_done(CGroupProcess *p) {
        strv_free(p->argv);
        free(p->comm);
}

CGroupNode *cgroup_node_free(CGroupNode *n) {
        if (!n)
                return NULL;
        for (size_t i = 0; i < n->n_procs; i++)
                cgroup_process_done(n->procs + i);
        free(n->procs);
        for (size_t i = 0; i < n->n_children; i++)
                cgroup_node_free(n->children[i]);
        free(n->children);
        free(n->name);
        free(n);
        return NULL;
}

/* Reads all of FD (at most max bytes) into an allocated buffer, with a NUL after them. Returns the length,
 * or -errno. */
static ssize_t read_fd(int fd, size_t max, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;

        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        while (n < max) {
                ssize_t k = read(fd, buf + n, max - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return (ssize_t) n;
}

/* Reads /proc/PID/<what> (at most max bytes). Returns the length with *ret, or -errno (-ENOENT/-ESRCH: gone). */
static ssize_t read_proc_file(pid_t pid, const char *what, size_t max, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        char path[64];

        (void) snprintf(path, sizeof(path), "/proc/%i/%s", (int) pid, what);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return read_fd(fd, max, ret);
}

/* The arguments of PID, split at the NULs of /proc/PID/cmdline (empty if it has none). Returns 0 or -errno. */
static int read_cmdline(pid_t pid, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t n_argv = 0;
        ssize_t n;
        int r;

        n = read_proc_file(pid, "cmdline", CMDLINE_MAX, &buf);
        if (n < 0)
                return (int) n;

        for (size_t i = 0; i < (size_t) n; ) {
                const char *e = memchr(buf + i, 0, (size_t) n - i);
                size_t l = e ? (size_t) (e - (buf + i)) : (size_t) n - i;
                char *a;

                a = strndup(buf + i, l);
                if (!a)
                        return -ENOMEM;
                r = strv_push_with_size(&argv, &n_argv, a);
                if (r < 0) {
                        free(a);
                        return r;
                }
                i += l + 1;
        }

        if (!argv) {
                argv = new0(char *, 1);
                if (!argv)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(argv);
        return 0;
}

static int pid_compare(const void *a, const void *b) {
        pid_t x = ((const CGroupProcess *) a)->pid, y = ((const CGroupProcess *) b)->pid;

        return x < y ? -1 : x > y;
}

static int node_compare(const void *a, const void *b) {
        return strcmp((*(CGroupNode * const *) a)->name, (*(CGroupNode * const *) b)->name);
}

/* Fills n->procs from DFD's cgroup.procs, sorted, without duplicates or 0 (a PID outside our namespace). */
static int read_procs(CGroupNode *n, int dfd) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_fclose_ FILE *f = NULL;
        size_t allocated = 0;
        long pid;

        fd = openat(dfd, "cgroup.procs", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        f = fdopen(fd, "re");
        if (!f)
                return -errno;
        TAKE_FD(fd);

        while (fscanf(f, "%ld", &pid) == 1) {
                if (pid <= 0 || pid > INT32_MAX)
                        continue;
                if (n->n_procs == allocated) {
                        size_t m = allocated ? allocated * 2 : 8;
                        CGroupProcess *p = realloc(n->procs, m * sizeof(CGroupProcess));
                        if (!p)
                                return -ENOMEM;
                        n->procs = p;
                        allocated = m;
                }
                n->procs[n->n_procs++] = (CGroupProcess) { .pid = (pid_t) pid };
        }
        if (ferror(f))
                return -EIO;

        if (n->n_procs > 0)
                qsort(n->procs, n->n_procs, sizeof(CGroupProcess), pid_compare);
        for (size_t i = 1; i < n->n_procs; )
                if (n->procs[i].pid == n->procs[i - 1].pid)
                        memmove(n->procs + i, n->procs + i + 1, (--n->n_procs - i) * sizeof(CGroupProcess));
                else
                        i++;

        for (size_t i = 0; i < n->n_procs; i++) {
                CGroupProcess *p = n->procs + i;
                char *comm = NULL;
                ssize_t l;
                int r;

                /* A process that is gone by now keeps its line, with "n/a", as in systemd. */
                r = read_cmdline(p->pid, &p->argv);
                if (r == -ENOMEM)
                        return r;
                l = read_proc_file(p->pid, "comm", 64, &comm);
                if (l == -ENOMEM)
                        return (int) l;
                if (l >= 0) {
                        comm[strcspn(comm, "\n")] = 0;
                        p->comm = comm;
                }
        }
        return 0;
}

static int node_read(int dfd, const char *name, unsigned depth, CGroupNode **ret) {
        _cleanup_(cgroup_node_freep) CGroupNode *n = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        size_t allocated = 0;
        int fd, r;

        n = new0(CGroupNode, 1);
        if (!n)
                return -ENOMEM;
        n->name = strdup(name);
        if (!n->name)
                return -ENOMEM;

        r = read_procs(n, dfd);
        if (r < 0)
                return r;

        fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }

        for (struct dirent *de; (errno = 0, de = readdir(d)); ) {
                _cleanup_(cgroup_node_freep) CGroupNode *child = NULL;
                _cleanup_close_ int cfd = -EBADF;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (depth + 1 >= CGROUP_DEPTH_MAX) {
                        n->truncated = true;
                        break;
                }

                cfd = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (cfd < 0) {
                        if (errno == ENOENT)    /* removed meanwhile */
                                continue;
                        return -errno;
                }
                r = node_read(cfd, de->d_name, depth + 1, &child);
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return r;

                if (n->n_children == allocated) {
                        size_t m = allocated ? allocated * 2 : 4;
                        CGroupNode **c = realloc(n->children, m * sizeof(CGroupNode *));
                        if (!c)
                                return -ENOMEM;
                        n->children = c;
                        allocated = m;
                }
                n->children[n->n_children++] = TAKE_PTR(child);
        }
        if (errno != 0)
                return -errno;

        if (n->n_children > 0)
                qsort(n->children, n->n_children, sizeof(CGroupNode *), node_compare);

        *ret = TAKE_PTR(n);
        return 0;
}

int cgroup_tree_read(const char *path, CGroupNode **ret) {
        _cleanup_free_ char *full = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *base;

        if (!path || path[0] != '/' || streq(path, "/..") || strstr(path, "/../") ||
            (strlen(path) >= 3 && streq(path + strlen(path) - 3, "/..")))
                return -EINVAL;

        if (asprintf(&full, "/sys/fs/cgroup%s", path) < 0)
                return -ENOMEM;
        fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;

        base = strrchr(path, '/') + 1;
        return node_read(fd, *base ? base : "/", 0, ret);
}

/* systemd's special_glyph(): TREE_BRANCH, TREE_RIGHT, TREE_VERTICAL, TREE_SPACE, ELLIPSIS. */
static const char *glyph_branch(const CGroupShowStyle *s)   { return s->utf8 ? "\u251c\u2500" : "|-"; }
static const char *glyph_right(const CGroupShowStyle *s)    { return s->utf8 ? "\u2514\u2500" : "`-"; }
static const char *glyph_vertical(const CGroupShowStyle *s) { return s->utf8 ? "\u2502 " : "| "; }
static const char *glyph_ellipsis(const CGroupShowStyle *s) { return s->utf8 ? "\u2026" : "..."; }

/* Columns of a string of printable UTF-8 (escaped text, glyphs): one per code point. */
static size_t text_columns(const char *s) {
        size_t c = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        c++;
        return c;
}

/* Cuts escaped text *s (printable UTF-8) to at most width columns, the last being an ellipsis. Returns 0 or
 * -ENOMEM (*s unchanged). */
static int ellipsize(char **s, size_t width, const CGroupShowStyle *style) {
        const char *e = glyph_ellipsis(style);
        size_t keep, c = 0, el = text_columns(e);
        char *p, *t;

        if (width == SIZE_MAX || text_columns(*s) <= width)
                return 0;
        keep = width > el ? width - el : 0;
        for (p = *s; *p; p++)
                if (((unsigned char) *p & 0xc0) != 0x80 && c++ == keep)
                        break;
        /* p is on the first byte of the first code point cut. */
        if (asprintf(&t, "%.*s%s", (int) (p - *s), *s, e) < 0)
                return -ENOMEM;
        free(*s);
        *s = t;
        return 0;
}

/* The text of one process line: the arguments joined by spaces (as systemd's get_process_cmdline()), or
 * "[comm]" for a kernel thread or zombie, or "n/a"; escaped. NULL on OOM. */
static char *process_text(const CGroupProcess *p) {
        _cleanup_free_ char *joined = NULL;

        if (p->argv && p->argv[0]) {
                joined = strv_join(p->argv, " ");
                if (!joined)
                        return NULL;
        } else if (p->comm) {
                if (asprintf(&joined, "[%s]", p->comm) < 0)
                        return NULL;
        } else
                return strdup("n/a");
        return escape_terminal(joined, strlen(joined), 0);
}

static unsigned decimal_width(pid_t pid) {
        unsigned w = 1;

        for (; pid >= 10; pid /= 10)
                w++;
        return w;
}

static void print_node(const CGroupNode *n, const char *prefix, const CGroupShowStyle *style) {
        const char *grey = style->colors ? "\x1B[0;38;5;245m" : "", *normal = style->colors ? "\x1B[0m" : "";
        size_t prefix_cols = text_columns(prefix);
        unsigned pid_width;

        pid_width = n->n_procs > 0 ? decimal_width(n->procs[n->n_procs - 1].pid) : 1;
        for (size_t i = 0; i < n->n_procs; i++) {
                _cleanup_free_ char *t = process_text(n->procs + i);
                bool last = i + 1 == n->n_procs && n->n_children == 0 && !n->truncated;
                size_t avail = SIZE_MAX;

                if (style->width != SIZE_MAX) {
                        size_t used = prefix_cols + 2 + pid_width + 1;
                        /* At least 20 columns for the command, as systemd: a narrow terminal wraps. */
                        avail = style->width > used + 20 ? style->width - used : 20;
                }
                if (t && ellipsize(&t, avail, style) < 0)
                        t = mfree(t);
                printf("%s%s%s%*i %s%s\n", prefix, last ? glyph_right(style) : glyph_branch(style), grey,
                       (int) pid_width, (int) n->procs[i].pid, t ?: "(out of memory)", normal);
        }

        for (size_t i = 0; i < n->n_children; i++) {
                _cleanup_free_ char *name = NULL, *sub = NULL;
                bool last = i + 1 == n->n_children && !n->truncated;

                name = escape_terminal(n->children[i]->name, strlen(n->children[i]->name), 0);
                printf("%s%s%s\n", prefix, last ? glyph_right(style) : glyph_branch(style),
                       name ?: "(out of memory)");
                if (asprintf(&sub, "%s%s", prefix, last ? "  " : glyph_vertical(style)) < 0)
                        continue;
                print_node(n->children[i], sub, style);
        }

        if (n->truncated)
                printf("%s%s%s\n", prefix, glyph_right(style), glyph_ellipsis(style));
}

void cgroup_tree_print(const CGroupNode *root, const char *prefix, const CGroupShowStyle *style) {
        print_node(root, prefix, style);
}

int cgroup_tree_to_json(const CGroupNode *n, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL, *procs = NULL, *children = NULL;
        int r;

        o = json_object_new_object();
        procs = json_object_new_array();
        children = json_object_new_array();
        if (!o || !procs || !children)
                return -ENOMEM;

        for (size_t i = 0; i < n->n_procs; i++) {
                const CGroupProcess *p = n->procs + i;
                _cleanup_(json_object_putp) json_object *e = json_object_new_object();

                if (!e)
                        return -ENOMEM;
                r = json_add_value(e, "PID", json_object_new_int64(p->pid));
                r = r ?: json_add_value(e, "Command", strv_to_json(p->argv));
                if (r == 0 && p->comm)
                        r = json_add_value(e, "Comm", json_object_new_string(p->comm));
                if (r < 0)
                        return r;
                if (json_object_array_add(procs, e) < 0)
                        return -ENOMEM;
                TAKE_PTR(e);
        }

        for (size_t i = 0; i < n->n_children; i++) {
                json_object *c = NULL;

                r = cgroup_tree_to_json(n->children[i], &c);
                if (r < 0)
                        return r;
                if (json_object_array_add(children, c) < 0) {
                        json_object_put(c);
                        return -ENOMEM;
                }
        }

        r = json_add_value(o, "Name", json_object_new_string(n->name));
        r = r ?: json_add_value(o, "Processes", TAKE_PTR(procs));
        r = r ?: json_add_value(o, "Children", TAKE_PTR(children));
        if (r == 0 && n->truncated)
                r = json_add_value(o, "Truncated", json_object_new_boolean(true));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

int unit_get_control_group(sd_bus *bus, const char *unit, char **ret, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path, *iface, *dot = strrchr(unit, '.');
        int r;

        iface = !dot                    ? NULL :
                streq(dot, ".scope")    ? "org.freedesktop.systemd1.Scope" :
                streq(dot, ".service")  ? "org.freedesktop.systemd1.Service" :
                streq(dot, ".slice")    ? "org.freedesktop.systemd1.Slice" : NULL;
        if (!iface)
                return -EOPNOTSUPP;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "GetUnit", error, &reply, "s", unit);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        return sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, iface, "ControlGroup", error, ret);
}
