#ifndef CSYSTEM_H
#define CSYSTEM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

/// accept4 is a GNU extension that Swift's Glibc module does not import.
int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/// The epoll_event struct is packed on x86_64, which Swift cannot import field by field reliably.
int csystem_epoll_add(int epfd, int fd, unsigned int events, int data);
int csystem_epoll_mod(int epfd, int fd, unsigned int events, int data);
int csystem_epoll_del(int epfd, int fd);
/// Waits and copies up to `max` ready (fd, events) pairs into the two arrays.
int csystem_epoll_wait(int epfd, int *fds, unsigned int *events, int max, int timeout_ms);

/// Names the calling thread (at most 15 bytes are kept): pthread_setname_np is a GNU extension too.
void csystem_name_thread(const char *name);

/// Gives memory that malloc holds free back to the system (malloc_trim, in malloc.h, which
/// Swift's Glibc module leaves out): after start-up work that serving never repeats.
void csystem_release_free_memory(void);

static const unsigned int CSYSTEM_EPOLLIN = EPOLLIN;
static const unsigned int CSYSTEM_EPOLLOUT = EPOLLOUT;
static const unsigned int CSYSTEM_EPOLLERR = EPOLLERR;
static const unsigned int CSYSTEM_EPOLLHUP = EPOLLHUP;
static const unsigned int CSYSTEM_EPOLLRDHUP = EPOLLRDHUP;
static const unsigned int CSYSTEM_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;
static const int CSYSTEM_SOCK_NONBLOCK = SOCK_NONBLOCK;
static const int CSYSTEM_SOCK_CLOEXEC = SOCK_CLOEXEC;
static const int CSYSTEM_MSG_NOSIGNAL = MSG_NOSIGNAL;
#endif
