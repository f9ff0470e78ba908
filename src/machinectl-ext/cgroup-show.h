/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>
#include <systemd/sd-bus.h>

/* The cgroup tree of a machine's unit, as "systemctl status" shows it: read from /sys/fs/cgroup once, then
 * printed as text or JSON. Everything in it (cgroup names, command lines) is the container's to choose: the
 * text form escapes it (escape.h) and cuts it to the terminal's width. */

typedef struct CGroupProcess {
        pid_t pid;
        char **argv;            /* /proc/PID/cmdline; empty for a kernel thread or a zombie */
        char *comm;             /* /proc/PID/comm without its newline, NULL if gone */
} CGroupProcess;

typedef struct CGroupNode {
        char *name;             /* the last component of the path */
        CGroupProcess *procs;   /* sorted by PID */
        size_t n_procs;
        struct CGroupNode **children;   /* sorted by name */
        size_t n_children;
        bool truncated;         /* CGROUP_DEPTH_MAX reached: sub-cgroups not read */
} CGroupNode;

/* A container may nest cgroups as deep as it likes: below this many levels the tree says "…". */
#define CGROUP_DEPTH_MAX 32

CGroupNode *cgroup_node_free(CGroupNode *n);
static inline void cgroup_node_freep(CGroupNode **n) {
        cgroup_node_free(*n);
}

/* Reads the tree below /sys/fs/cgroup/PATH (PATH as systemd's ControlGroup property has it, "/a/b"). Returns
 * 0 with *ret, -EINVAL for a path that is not absolute or has "..", or -errno (-ENOENT: no such cgroup). */
int cgroup_tree_read(const char *path, CGroupNode **ret);

typedef struct CGroupShowStyle {
        bool utf8;              /* tree glyphs and "…"; else ASCII */
        bool colors;            /* PIDs and command lines in grey */
        size_t width;           /* columns available for a line (the prefix included); SIZE_MAX: no limit */
} CGroupShowStyle;

/* Prints the processes and sub-cgroups of ROOT (not ROOT itself), each line starting with PREFIX, as
 * systemd's show_cgroup_by_path(): "├─PID cmdline", "└─child" and its own tree below. */
void cgroup_tree_print(const CGroupNode *root, const char *prefix, const CGroupShowStyle *style);

/* Returns the tree as {"Name":, "Processes": [{"PID":, "Command": [argv], "Comm":}], "Children": [...]} in
 * *ret, or -ENOMEM. */
int cgroup_tree_to_json(const CGroupNode *root, json_object **ret);

/* The ControlGroup property of systemd's UNIT ("/machine.slice/machine-x.scope"). Returns 0 with *ret,
 * or < 0 with the reason in *error if systemd gave one. */
int unit_get_control_group(sd_bus *bus, const char *unit, char **ret, sd_bus_error *error);
