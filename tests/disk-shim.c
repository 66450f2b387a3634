/* disk-shim.c
 *
 * Copyright 2026 The Calsync authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* A test-only LD_PRELOAD library: the disk under the local cache, as the
 * crash and disk tests need it, without root and without a line of test code
 * in the program. It wraps the calls SQLite writes with (write(), pwrite(),
 * pwrite64()) and acts only on files in one folder, CALSYNC_TEST_DISK_DIR
 * (the cache's folder); every other write passes untouched.
 *
 *   CALSYNC_TEST_DISK_FREE_BYTES=N   the disk has N bytes free: writes that
 *                                    grow files in the folder by more than
 *                                    that in all fail with ENOSPC (the last
 *                                    one short first, as a file system does)
 *   CALSYNC_TEST_KILL_AT_WRITE=N     the N-th write to the folder puts half
 *                                    its bytes on the file, then the process
 *                                    kills itself with SIGKILL: a crash in
 *                                    the middle of its disk I/O, at a point a
 *                                    test chooses, not at a time
 *   CALSYNC_TEST_WRITE_COUNT_FILE=F  at a normal exit, the number of writes
 *                                    to the folder is written to F, so a test
 *                                    knows how many points a run has
 *
 * It is built only for the tests (tests/meson.build) and never installed.
 */

/* The wrappers define both pwrite and pwrite64: neither may be renamed by
 * the large-file headers. */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*WriteFunc) (int, const void *, size_t);
typedef ssize_t (*PwriteFunc) (int, const void *, size_t, off_t);
typedef ssize_t (*Pwrite64Func) (int, const void *, size_t, off64_t);

static WriteFunc real_write;
static PwriteFunc real_pwrite;
static Pwrite64Func real_pwrite64;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char watched[PATH_MAX];
static size_t watched_len;
static int limited;
static long long free_bytes;
static unsigned long kill_at;
static unsigned long n_writes;
static const char *count_file;

__attribute__((constructor)) static void
shim_init (void)
{
  const char *dir = getenv ("CALSYNC_TEST_DISK_DIR");
  const char *value;

  real_write = (WriteFunc) dlsym (RTLD_NEXT, "write");
  real_pwrite = (PwriteFunc) dlsym (RTLD_NEXT, "pwrite");
  real_pwrite64 = (Pwrite64Func) dlsym (RTLD_NEXT, "pwrite64");

  if (dir == NULL || realpath (dir, watched) == NULL)
    {
      /* The folder may not exist yet: the program makes it. */
      if (dir == NULL || strlen (dir) >= sizeof watched)
        return;
      strcpy (watched, dir);
    }
  watched_len = strlen (watched);

  if ((value = getenv ("CALSYNC_TEST_DISK_FREE_BYTES")) != NULL)
    {
      limited = 1;
      free_bytes = atoll (value);
    }
  if ((value = getenv ("CALSYNC_TEST_KILL_AT_WRITE")) != NULL)
    kill_at = strtoul (value, NULL, 10);
  count_file = getenv ("CALSYNC_TEST_WRITE_COUNT_FILE");
}

__attribute__((destructor)) static void
shim_fini (void)
{
  FILE *out;

  if (count_file == NULL || (out = fopen (count_file, "w")) == NULL)
    return;
  fprintf (out, "%lu\n", n_writes);
  fclose (out);
}

/* Whether @fd is a file in the watched folder. */
static int
is_watched (int fd)
{
  char link[64];
  char target[PATH_MAX];
  ssize_t len;

  if (watched_len == 0)
    return 0;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  len = readlink (link, target, sizeof target - 1);
  if (len <= 0)
    return 0;
  target[len] = '\0';

  return strncmp (target, watched, watched_len) == 0 && target[watched_len] == '/';
}

typedef enum
{
  PASS,         /* write it all */
  SHORT,        /* write *count bytes, then stop */
  FULL,         /* write nothing: ENOSPC */
  KILL,         /* write *count bytes, then die */
} Verdict;

/* Decides a write of *count bytes at @offset (-1: the file position) on
 * @fd, and shortens *count for SHORT and KILL. */
static Verdict
judge (int     fd,
       off_t   offset,
       size_t *count)
{
  struct stat st;
  Verdict verdict = PASS;
  int saved_errno = errno;

  if (!is_watched (fd))
    return PASS;

  pthread_mutex_lock (&lock);
  n_writes++;

  if (kill_at > 0 && n_writes == kill_at)
    {
      *count /= 2;
      verdict = KILL;
    }
  else if (limited && fstat (fd, &st) == 0)
    {
      off_t start = offset >= 0 ? offset : lseek (fd, 0, SEEK_CUR);
      long long growth = (long long) start + (long long) *count - (long long) st.st_size;

      if (fcntl (fd, F_GETFL) & O_APPEND)
        growth = (long long) *count;

      if (growth > free_bytes)
        {
          long long fits = (long long) *count - (growth - free_bytes);

          if (fits > 0)
            {
              *count = (size_t) fits;
              verdict = SHORT;
            }
          else
            verdict = FULL;
          growth = free_bytes;
        }
      if (growth > 0)
        free_bytes -= growth;
    }

  pthread_mutex_unlock (&lock);
  errno = saved_errno;
  return verdict;
}

static ssize_t
finish (Verdict verdict,
        ssize_t written)
{
  if (verdict == KILL)
    {
      kill (getpid (), SIGKILL);
      pause ();
    }

  return written;
}

ssize_t
write (int         fd,
       const void *buf,
       size_t      count)
{
  Verdict verdict = judge (fd, -1, &count);

  if (verdict == FULL)
    {
      errno = ENOSPC;
      return -1;
    }

  return finish (verdict, real_write (fd, buf, count));
}

ssize_t
pwrite (int         fd,
        const void *buf,
        size_t      count,
        off_t       offset)
{
  Verdict verdict = judge (fd, offset, &count);

  if (verdict == FULL)
    {
      errno = ENOSPC;
      return -1;
    }

  return finish (verdict, real_pwrite (fd, buf, count, offset));
}

ssize_t
pwrite64 (int         fd,
          const void *buf,
          size_t      count,
          off64_t     offset)
{
  Verdict verdict = judge (fd, (off_t) offset, &count);

  if (verdict == FULL)
    {
      errno = ENOSPC;
      return -1;
    }

  return finish (verdict, real_pwrite64 (fd, buf, count, offset));
}
