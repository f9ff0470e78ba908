/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <unistd.h>

#include "libmount-dl.h"
#include "macro.h"
#include "object-id.h"

#define LIBMOUNT_SONAME "libmount.so.1"

DLSYM_PROTOTYPE(mnt_free_iter) = NULL;
DLSYM_PROTOTYPE(mnt_fs_get_fstype) = NULL;
DLSYM_PROTOTYPE(mnt_fs_get_id) = NULL;
DLSYM_PROTOTYPE(mnt_fs_get_root) = NULL;
DLSYM_PROTOTYPE(mnt_fs_get_target) = NULL;
DLSYM_PROTOTYPE(mnt_get_builtin_optmap) = NULL;
DLSYM_PROTOTYPE(mnt_new_iter) = NULL;
DLSYM_PROTOTYPE(mnt_new_table_from_file) = NULL;
DLSYM_PROTOTYPE(mnt_optstr_append_option) = NULL;
DLSYM_PROTOTYPE(mnt_optstr_get_flags) = NULL;
DLSYM_PROTOTYPE(mnt_optstr_get_option) = NULL;
DLSYM_PROTOTYPE(mnt_optstr_next_option) = NULL;
DLSYM_PROTOTYPE(mnt_split_optstr) = NULL;
DLSYM_PROTOTYPE(mnt_table_next_fs) = NULL;
DLSYM_PROTOTYPE(mnt_unref_table) = NULL;

static void *libmount_dl = NULL;
static char *libmount_identity = NULL;  /* object_file_identity() of its file; NULL: not known */
static pid_t loader_pid = 0;

/* The process that may load it: the one the program started as. A child of ours (a fork or clone, in any PID
 * namespace) has another PID and only uses what this one loaded. */
__attribute__((constructor)) static void record_loader_pid(void) {
        loader_pid = getpid();
}

/* (void **) &function pointer, as systemd's DLSYM_ARG(): dlsym() hands out function addresses so. */
#define DLSYM_ARG(symbol) { #symbol, (void **) &sym_##symbol }

int dlopen_libmount(void) {
        const struct {
                const char *name;
                void **slot;
        } syms[] = {
                DLSYM_ARG(mnt_free_iter),
                DLSYM_ARG(mnt_fs_get_fstype),
                DLSYM_ARG(mnt_fs_get_id),
                DLSYM_ARG(mnt_fs_get_root),
                DLSYM_ARG(mnt_fs_get_target),
                DLSYM_ARG(mnt_get_builtin_optmap),
                DLSYM_ARG(mnt_new_iter),
                DLSYM_ARG(mnt_new_table_from_file),
                DLSYM_ARG(mnt_optstr_append_option),
                DLSYM_ARG(mnt_optstr_get_flags),
                DLSYM_ARG(mnt_optstr_get_option),
                DLSYM_ARG(mnt_optstr_next_option),
                DLSYM_ARG(mnt_split_optstr),
                DLSYM_ARG(mnt_table_next_fs),
                DLSYM_ARG(mnt_unref_table),
        };
        void *dl;

        if (libmount_dl)
                return 0;
        if (!libmount_may_load())
                return -EPERM;
        dl = dlopen(LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                return -EOPNOTSUPP;
        for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
                *syms[i].slot = dlsym(dl, syms[i].name);
                if (!*syms[i].slot) {
                        for (size_t j = 0; j < ELEMENTSOF(syms); j++)
                                *syms[j].slot = NULL;
                        (void) dlclose(dl);
                        return -EOPNOTSUPP;
                }
        }
        libmount_dl = dl;
        /* What answers, for as long as this process runs, even if the file is replaced meanwhile: the file
         * at its path only if that holds the code just loaded (it may have been replaced since the load). */
        if (libmount_path())
                (void) object_file_identity((const void *) sym_mnt_optstr_get_flags, libmount_path(),
                                            &libmount_identity);
        return 0;
}

const char *libmount_loaded_identity(void) {
        return libmount_identity;
}

bool libmount_loaded(void) {
        return libmount_dl;
}

bool libmount_may_load(void) {
        return getpid() == loader_pid;
}

const char *libmount_path(void) {
        struct link_map *map = NULL;

        if (!libmount_dl || dlinfo(libmount_dl, RTLD_DI_LINKMAP, &map) < 0 || !map || !map->l_name ||
            map->l_name[0] != '/')
                return NULL;
        return map->l_name;
}
