/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The set-up module's tables: every stage has a name (it ends up in error messages), and the default
 * capability set is systemd-nspawn's. */
#include <linux/capability.h>

#include "container.h"
#include "test-assert.h"

static void test_stages(void) {
        for (ContainerStage s = 0; s < _CONTAINER_STAGE_MAX; s++) {
                const char *n = container_stage_to_string(s);
                ASSERT(n);
                ASSERT(n[0]);
        }
        ASSERT(container_stage_to_string(_CONTAINER_STAGE_MAX) == NULL);
        ASSERT(container_stage_to_string(-1) == NULL);
}

static void test_default_capabilities(void) {
        uint64_t caps = container_default_capabilities();

        /* Kept, as in systemd-nspawn. */
        ASSERT(caps & (UINT64_C(1) << CAP_SYS_ADMIN));
        ASSERT(caps & (UINT64_C(1) << CAP_CHOWN));
        ASSERT(caps & (UINT64_C(1) << CAP_NET_BIND_SERVICE));
        /* Dropped: these act on the host as a whole. */
        ASSERT(!(caps & (UINT64_C(1) << CAP_SYS_MODULE)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_SYS_RAWIO)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_SYS_TIME)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_NET_ADMIN)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_MAC_ADMIN)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_BPF)));
        ASSERT(!(caps & (UINT64_C(1) << CAP_SYSLOG)));
}

int main(void) {
        test_stages();
        test_default_capabilities();
        return 0;
}
