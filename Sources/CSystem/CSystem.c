#define _GNU_SOURCE
#include "CSystem.h"
#include <malloc.h>
#include <string.h>
#include <sys/prctl.h>

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

static int ctl(int epfd, int op, int fd, unsigned int events, int data) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.fd = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

int csystem_epoll_add(int epfd, int fd, unsigned int events, int data) { return ctl(epfd, EPOLL_CTL_ADD, fd, events, data); }
int csystem_epoll_mod(int epfd, int fd, unsigned int events, int data) { return ctl(epfd, EPOLL_CTL_MOD, fd, events, data); }
int csystem_epoll_del(int epfd, int fd) { return ctl(epfd, EPOLL_CTL_DEL, fd, 0, 0); }

int csystem_epoll_wait(int epfd, int *fds, unsigned int *events, int max, int timeout_ms) {
    struct epoll_event evs[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        fds[i] = evs[i].data.fd;
        events[i] = evs[i].events;
    }
    return n;
}

void csystem_name_thread(const char *name) {
    char shortened[16];
    strncpy(shortened, name, sizeof shortened - 1);
    shortened[sizeof shortened - 1] = 0;
    prctl(PR_SET_NAME, shortened, 0, 0, 0);
}

void csystem_release_free_memory(void) {
    malloc_trim(0);
}
