/* Keeps allocsel's private jemalloc out of any other jemalloc's configuration.
 *
 * jemalloc reads its options from the MALLOC_CONF environment variable and
 * the /etc/malloc.conf symlink, which belong to whatever jemalloc the process
 * uses as its malloc. The private copy's references to secure_getenv and
 * readlink are renamed to these functions when the copy is built, so it
 * reads ALLOCSEL_JEMALLOC_CONF and /etc/allocsel-jemalloc.conf instead. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((visibility("hidden"))) char *allocsel_je_secure_getenv(const char *name) {
  if (strcmp(name, "MALLOC_CONF") == 0)
    name = "ALLOCSEL_JEMALLOC_CONF";
  return secure_getenv(name);
}

__attribute__((visibility("hidden"))) ssize_t
allocsel_je_readlink(const char *path, char *buf, size_t size) {
  if (strcmp(path, "/etc/malloc.conf") == 0)
    path = "/etc/allocsel-jemalloc.conf";
  return readlink(path, buf, size);
}
