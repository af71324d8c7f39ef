/* vnetlab-mpi: a workaround for LAM/MPI 7.1.4 on current Linux kernels.
 *
 * LAM's library talks to its daemon (and its tcp RPI to peers) with
 * writev/readv/sendmsg/recvmsg and sometimes passes a zero-length iovec whose
 * base pointer is left uninitialised. Old kernels ignored the base of an
 * empty segment; current ones check it, and a wild one fails the whole call
 * with EFAULT, so MPI_Init dies with "Unix errno: 14, Bad address" - most of
 * the time, depending on what the garbage happens to be (it moves with the
 * environment, the arguments and address space randomisation).
 *
 * The executable's definitions of these four calls take the place of libc's
 * for liblam too; they clear the base of every empty segment and make the
 * system call. Only in the LAM build; MPICH's does not need them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nanosleep, syscall */
#endif
#include "mpibench.h"

#ifdef LAM_MPI
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define LAM_IOV_MAX 64 /* LAM uses two or three; more pass as they are */

static const struct iovec *clean_iov(const struct iovec *iov, size_t cnt, struct iovec *tmp)
{
	if (!iov || cnt > LAM_IOV_MAX)
		return iov;
	for (size_t i = 0; i < cnt; i++) {
		tmp[i] = iov[i];
		if (!tmp[i].iov_len)
			tmp[i].iov_base = NULL;
	}
	return tmp;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	struct iovec tmp[LAM_IOV_MAX];

	return syscall(SYS_writev, fd, cnt > 0 ? clean_iov(iov, (size_t)cnt, tmp) : iov, cnt);
}

ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	struct iovec tmp[LAM_IOV_MAX];

	return syscall(SYS_readv, fd, cnt > 0 ? clean_iov(iov, (size_t)cnt, tmp) : iov, cnt);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	struct iovec tmp[LAM_IOV_MAX];
	struct msghdr m = *msg;

	m.msg_iov = (struct iovec *)clean_iov(m.msg_iov, m.msg_iovlen, tmp);
	return syscall(SYS_sendmsg, fd, &m, flags);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct iovec tmp[LAM_IOV_MAX], *orig = msg->msg_iov;
	ssize_t r;

	msg->msg_iov = (struct iovec *)clean_iov(orig, msg->msg_iovlen, tmp);
	r = syscall(SYS_recvmsg, fd, msg, flags);
	msg->msg_iov = orig;
	return r;
}
#endif
