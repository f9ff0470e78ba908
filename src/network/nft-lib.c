/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "nft-lib.h"

#define NFT_LIB_SONAME "libnftables.so.1"

NftLib nft_lib;
static void *handle;
static unsigned n_refs;

int nft_lib_ref(char **ret_error) {
        static const struct {
                const char *name;
                size_t offset;
        } syms[] = {
                { "nft_ctx_new",               offsetof(NftLib, ctx_new)               },
                { "nft_ctx_free",              offsetof(NftLib, ctx_free)              },
                { "nft_ctx_output_set_flags",  offsetof(NftLib, ctx_output_set_flags)  },
                { "nft_ctx_buffer_output",     offsetof(NftLib, ctx_buffer_output)     },
                { "nft_ctx_get_output_buffer", offsetof(NftLib, ctx_get_output_buffer) },
                { "nft_ctx_buffer_error",      offsetof(NftLib, ctx_buffer_error)      },
                { "nft_ctx_get_error_buffer",  offsetof(NftLib, ctx_get_error_buffer)  },
                { "nft_run_cmd_from_buffer",   offsetof(NftLib, run_cmd_from_buffer)   },
        };
        NftLib l = {};
        void *dl;

        if (n_refs > 0) {
                n_refs++;
                return 1;
        }
        dl = dlopen(NFT_LIB_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!dl)
                goto fail;
        for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
                void *p = dlsym(dl, syms[i].name);

                if (!p) {
                        dlclose(dl);
                        goto fail;
                }
                memcpy((char *) &l + syms[i].offset, &p, sizeof(p));
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
