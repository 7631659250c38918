#ifndef CHRONICLE_CZLIB_SHIM_H
#define CHRONICLE_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 and inflateInit2 are macros (they pass zlib's version and the struct's size),
   which Swift cannot call: one function each, for the gzip wrapper (RFC 1952) only. */
static inline int chronicle_deflate_init_gzip(z_streamp stream, int level, int window_bits, int memory_level) {
    return deflateInit2(stream, level, Z_DEFLATED, 16 + window_bits, memory_level, Z_DEFAULT_STRATEGY);
}
static inline int chronicle_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
