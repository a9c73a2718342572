// Deterministic GEMM: C ← α·op(A)·op(B) + β·C, row-major, with the same bits on every machine.
//
// Every element is computed in one fixed order, whatever the instruction set, thread count or
// blocking:
//
//     s = 0;  for p = 0, 1, …, k−1:  s = s + a_ip·b_pj      (product rounded, then sum rounded)
//     c_ij = α·s + β·c_ij       (α·s skipped when α = 1; β·c_ij skipped when β = 0, β = 1 adds c_ij)
//
// Vectors hold neighbouring *columns* j of one row, so a vector instruction performs the same
// scalar steps for several elements at once and never reorders one element's sum. Multiply and
// add stay separate instructions: FP_CONTRACT is off, so the compiler may not fuse them into an
// FMA (which rounds once instead of twice and would give other bits on machines that have it).
// IEEE 754 fixes the result of each rounded + and ×, so the value of c_ij is fixed by the order
// above, on x86-64 with or without AVX2, on ARM with NEON, in any thread.
//
// Speed comes from register blocking: a tile of MR = 6 rows × NR = 2 vectors of columns is
// accumulated in 12 vector registers while p runs over k, and op(B) is read from column panels
// of width NR (packed, zero-padded, when B is transposed or at the last, partial panel).
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "CKernels.h"
#include <string.h>

#define MR 6

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <cpuid.h>
#define CKERNELS_X86 1
#define TARGET_AVX2 __attribute__((target("avx2")))

/// AVX2 is usable when the CPU has it and the operating system saves the YMM registers
/// (CPUID.1:ECX.OSXSAVE, XCR0 bits 1–2, CPUID.7.0:EBX bit 5).
static int cpu_has_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!((c >> 27) & 1) || !((c >> 28) & 1)) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 6) != 6) return 0;
    if (__get_cpuid_max(0, 0) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b >> 5) & 1;
}

static int use_avx2(void) {
    static int state = -1;  // -1 unknown; a racing first call computes the same value
    int s = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (s < 0) {
        s = cpu_has_avx2();
        __atomic_store_n(&state, s, __ATOMIC_RELAXED);
    }
    return s;
}
#endif

const char *ckernels_instruction_set(void) {
#if defined(CKERNELS_X86)
    return use_avx2() ? "AVX2" : "SSE2";
#elif defined(__aarch64__) || defined(__ARM_NEON)
    return "NEON";
#else
    return "portable";
#endif
}

// One element type: T scalar, V a vector of VL lanes, NR = 2·VL columns per panel.
#define DEFINE_GEMM(SUFFIX, T, VL)                                                                 \
typedef T V_##SUFFIX __attribute__((vector_size(VL * sizeof(T)), aligned(sizeof(T))));           \
enum { NR_##SUFFIX = 2 * VL };                                                                     \
                                                                                                   \
/* c[j] = α·s[j] (+ β·c[j]) for the first w columns of one tile row. */                            \
static inline __attribute__((always_inline))                                                       \
void finish_row_##SUFFIX(const V_##SUFFIX *sum, T alpha, T beta, T *c, int w) {                   \
    V_##SUFFIX s0 = sum[0], s1 = sum[1];                                                           \
    if (alpha != 1) { s0 = s0 * alpha; s1 = s1 * alpha; }                                          \
    if (w == 2 * VL) {                                                                             \
        V_##SUFFIX *c0 = (V_##SUFFIX *)c, *c1 = (V_##SUFFIX *)(c + VL);                            \
        if (beta != 0) {                                                                           \
            V_##SUFFIX u0 = *c0, u1 = *c1;                                                         \
            if (beta != 1) { u0 = u0 * beta; u1 = u1 * beta; }                                     \
            s0 = s0 + u0; s1 = s1 + u1;                                                            \
        }                                                                                          \
        *c0 = s0; *c1 = s1;                                                                        \
    } else {                                                                                       \
        T t[2 * VL];                                                                               \
        memcpy(t, &s0, sizeof s0); memcpy(t + VL, &s1, sizeof s1);                                 \
        for (int j = 0; j < w; j++) {                                                              \
            T v = t[j];                                                                            \
            if (beta != 0) { T u = beta == 1 ? c[j] : beta * c[j]; v = v + u; }                    \
            c[j] = v;                                                                              \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* One MR × NR tile: rows arow[r][p·cs], panel b[p·bs + j], p = 0..<k in order. */                 \
static inline __attribute__((always_inline))                                                       \
void tile_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs,                      \
                   T alpha, T beta, T *c, long ldc, int rows, int w) {                             \
    V_##SUFFIX s[MR][2];                                                                           \
    for (int r = 0; r < MR; r++) { s[r][0] = (V_##SUFFIX){0}; s[r][1] = (V_##SUFFIX){0}; }         \
    const T *a[MR];                                                                                \
    for (int r = 0; r < MR; r++) a[r] = arow[r];                                                   \
    for (int p = 0; p < k; p++) {                                                                  \
        V_##SUFFIX b0 = *(const V_##SUFFIX *)b, b1 = *(const V_##SUFFIX *)(b + VL);                \
        for (int r = 0; r < MR; r++) {                                                             \
            T x = *a[r];                                                                           \
            V_##SUFFIX t0 = b0 * x, t1 = b1 * x;   /* rounded products ... */                      \
            s[r][0] = s[r][0] + t0;                /* ... then rounded sums */                     \
            s[r][1] = s[r][1] + t1;                                                                \
            a[r] += cs;                                                                            \
        }                                                                                          \
        b += bs;                                                                                   \
    }                                                                                              \
    for (int r = 0; r < MR; r++)                                                                   \
        if (r < rows) finish_row_##SUFFIX(s[r], alpha, beta, c + r * ldc, w);                       \
}                                                                                                  \
                                                                                                   \
static void tile_portable_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs,     \
                                   T alpha, T beta, T *c, long ldc, int rows, int w) {             \
    tile_##SUFFIX(k, arow, cs, b, bs, alpha, beta, c, ldc, rows, w);                               \
}                                                                                                  \
TILE_AVX2(SUFFIX, T)                                                                               \
                                                                                                   \
/* op(B) is read in place when B is not transposed and its k rows span at most 256 KiB (they  \
   stay in cache); otherwise every panel is packed. The last, partial panel is always packed. */ \
static int packs_all_##SUFFIX(bool transB, int k, long ldb) {                                     \
    return transB || (long)k * ldb * (long)sizeof(T) > 256 * 1024;                                 \
}                                                                                                  \
                                                                                                   \
long ckernels_packed_count_##SUFFIX(bool transB, int k, int n, long ldb) {                        \
    long panels = (n + NR_##SUFFIX - 1) / NR_##SUFFIX;                                             \
    if (packs_all_##SUFFIX(transB, k, ldb)) return panels * k * NR_##SUFFIX;                       \
    return n % NR_##SUFFIX ? (long)k * NR_##SUFFIX : 0;                                            \
}                                                                                                  \
                                                                                                   \
void ckernels_pack_b_##SUFFIX(bool transB, int k, int n, const T *b, long ldb, T *packed) {       \
    const int nr = NR_##SUFFIX;                                                                    \
    int panels = (n + nr - 1) / nr, all = packs_all_##SUFFIX(transB, k, ldb);                      \
    for (int q = all ? 0 : panels - 1; q < panels; q++) {                                          \
        int j0 = q * nr, w = n - j0 < nr ? n - j0 : nr;                                            \
        if (!all && w == nr) break;                                                                \
        T *panel = packed + (all ? (long)q * k * nr : 0);                                          \
        for (int p = 0; p < k; p++) {                                                              \
            T *dst = panel + (long)p * nr;                                                         \
            for (int j = 0; j < w; j++) dst[j] = transB ? b[(long)(j0 + j) * ldb + p] : b[p * ldb + j0 + j]; \
            for (int j = w; j < nr; j++) dst[j] = 0;                                               \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
void ckernels_gemm_rows_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                 T alpha, const T *a, long lda, const T *b, long ldb,              \
                                 const T *packed, T beta, T *c, long ldc) {                        \
    const int nr = NR_##SUFFIX;                                                                    \
    long rs = transA ? 1 : lda, cs = transA ? lda : 1;                                             \
    int panels = (n + nr - 1) / nr;                                                                \
    int avx2 = HAVE_AVX2(), all = packs_all_##SUFFIX(transB, k, ldb);                              \
    for (int i0 = rowBegin; i0 < rowEnd; i0 += MR) {                                               \
        int rows = rowEnd - i0 < MR ? rowEnd - i0 : MR;                                            \
        const T *arow[MR];  /* rows past the end repeat the last row; their sums are not stored */ \
        for (int r = 0; r < MR; r++) arow[r] = a + (long)(i0 + (r < rows ? r : rows - 1)) * rs;    \
        for (int q = 0; q < panels; q++) {                                                         \
            int j0 = q * nr, w = n - j0 < nr ? n - j0 : nr;                                        \
            const T *panel; long bs;                                                               \
            if (all) { panel = packed + (long)q * k * nr; bs = nr; }                               \
            else if (w < nr) { panel = packed; bs = nr; }                                          \
            else { panel = b + j0; bs = ldb; }                                                     \
            T *ct = c + (long)i0 * ldc + j0;                                                       \
            if (avx2) CALL_AVX2(SUFFIX, k, arow, cs, panel, bs, alpha, beta, ct, ldc, rows, w);    \
            else tile_portable_##SUFFIX(k, arow, cs, panel, bs, alpha, beta, ct, ldc, rows, w);    \
        }                                                                                          \
    }                                                                                              \
}

#if defined(CKERNELS_X86)
#define TILE_AVX2(SUFFIX, T)                                                                       \
TARGET_AVX2 static void tile_avx2_##SUFFIX(int k, const T *const *arow, long cs, const T *b,      \
                                           long bs, T alpha, T beta, T *c, long ldc, int rows, int w) { \
    tile_##SUFFIX(k, arow, cs, b, bs, alpha, beta, c, ldc, rows, w);                               \
}
#define HAVE_AVX2() use_avx2()
#define CALL_AVX2(SUFFIX, ...) tile_avx2_##SUFFIX(__VA_ARGS__)
#else
#define TILE_AVX2(SUFFIX, T)
#define HAVE_AVX2() 0
#define CALL_AVX2(SUFFIX, ...) tile_portable_##SUFFIX(__VA_ARGS__)
#endif

DEFINE_GEMM(f32, float, 8)
DEFINE_GEMM(f64, double, 4)
