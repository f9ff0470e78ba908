/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nft-lib.h"

#define NFT_LIB_SONAME "libnftables.so.1"

NftLib nft_lib;
static void *handle;
static unsigned n_refs;

int nft_lib_ref(char **ret_error) {
        NftLib l = {};
        /* (void **) &function pointer, as systemd's DLSYM_ARG(): dlsym() hands out function addresses so. */
        const struct {
                const char *name;
                void **slot;
        } syms[] = {
                { "nft_ctx_new",               (void **) &l.ctx_new               },
                { "nft_ctx_free",              (void **) &l.ctx_free              },
                { "nft_ctx_output_set_flags",  (void **) &l.ctx_output_set_flags  },
                { "nft_ctx_buffer_output",     (void **) &l.ctx_buffer_output     },
                { "nft_ctx_get_output_buffer", (void **) &l.ctx_get_output_buffer },
                { "nft_ctx_buffer_error",      (void **) &l.ctx_buffer_error      },
                { "nft_ctx_get_error_buffer",  (void **) &l.ctx_get_error_buffer  },
                { "nft_run_cmd_from_buffer",   (void **) &l.run_cmd_from_buffer   },
        };
        void *dl;

        if (n_refs > 0) {
                n_refs++;
                return 1;
        }
        dl = dlopen(NFT_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                goto fail;
        for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
                *syms[i].slot = dlsym(dl, syms[i].name);
                if (!*syms[i].slot) {
                        dlclose(dl);
                        goto fail;
                }
        }
        handle = dl;
        nft_lib = l;
        n_refs = 1;
        return 1;

fail:
        if (ret_error) {
                const char *e = dlerror();

                free(*ret_error);
                *ret_error = strdup(e ?: "cannot load " NFT_LIB_SONAME);
        }
        return -EOPNOTSUPP;
}

void nft_lib_unrefp(int *ref) {
        if (*ref <= 0 || n_refs == 0)
                return;
        *ref = 0;
        if (--n_refs > 0)
                return;
        nft_lib = (NftLib) {};
        (void) dlclose(handle);
        handle = NULL;
}
