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
// accumulated in 12 vector registers while p runs over k (one vector when the last panel is at
// most one vector wide), and op(B) is read from column panels of width NR (packed, zero-padded,
// when B is transposed or large, and at the last, partial panel).
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "CKernels.h"
#include <string.h>

// Rows per tile: 6 rows × 2 vectors of sums, 2 panel vectors, a broadcast and a product fill the
// 16 AVX2 registers exactly, which is why the sums loop does nothing else (see sums_*).
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
/* The sums of one tile: s[r][j] = Σ_p a_r[p·cs]·b[p·bs + j], p = 0..<k in order, for r < MR and   \
   j < NR (or j < VL when narrow). The loop keeps its 2·MR (or MR) sums in registers and nothing  \
   else live, so the compiler does not spill them; the caller finishes the tile from `out`. */    \
static inline __attribute__((always_inline))                                                       \
void sums_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) { \
    V_##SUFFIX s00 = {0}, s01 = {0}, s10 = {0}, s11 = {0}, s20 = {0}, s21 = {0},                   \
               s30 = {0}, s31 = {0}, s40 = {0}, s41 = {0}, s50 = {0}, s51 = {0};                   \
    const T *a0 = arow[0], *a1 = arow[1], *a2 = arow[2], *a3 = arow[3], *a4 = arow[4], *a5 = arow[5]; \
    for (int p = 0; p < k; p++) {                                                                  \
        V_##SUFFIX b0 = *(const V_##SUFFIX *)b, b1 = *(const V_##SUFFIX *)(b + VL), t;             \
        T x;                                                                                       \
        /* each row: rounded products, then rounded sums */                                        \
        x = *a0; t = b0 * x; s00 = s00 + t; t = b1 * x; s01 = s01 + t;                             \
        x = *a1; t = b0 * x; s10 = s10 + t; t = b1 * x; s11 = s11 + t;                             \
        x = *a2; t = b0 * x; s20 = s20 + t; t = b1 * x; s21 = s21 + t;                             \
        x = *a3; t = b0 * x; s30 = s30 + t; t = b1 * x; s31 = s31 + t;                             \
        x = *a4; t = b0 * x; s40 = s40 + t; t = b1 * x; s41 = s41 + t;                             \
        x = *a5; t = b0 * x; s50 = s50 + t; t = b1 * x; s51 = s51 + t;                             \
        a0 += cs; a1 += cs; a2 += cs; a3 += cs; a4 += cs; a5 += cs;                                \
        b += bs;                                                                                   \
    }                                                                                              \
    memcpy(out[0], &s00, sizeof s00); memcpy(out[0] + VL, &s01, sizeof s01);                       \
    memcpy(out[1], &s10, sizeof s10); memcpy(out[1] + VL, &s11, sizeof s11);                       \
    memcpy(out[2], &s20, sizeof s20); memcpy(out[2] + VL, &s21, sizeof s21);                       \
    memcpy(out[3], &s30, sizeof s30); memcpy(out[3] + VL, &s31, sizeof s31);                       \
    memcpy(out[4], &s40, sizeof s40); memcpy(out[4] + VL, &s41, sizeof s41);                       \
    memcpy(out[5], &s50, sizeof s50); memcpy(out[5] + VL, &s51, sizeof s51);                       \
}                                                                                                  \
                                                                                                   \
static inline __attribute__((always_inline))                                                       \
void narrow_sums_##SUFFIX(int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) { \
    V_##SUFFIX s[MR];                                                                              \
    for (int r = 0; r < MR; r++) s[r] = (V_##SUFFIX){0};                                           \
    const T *a[MR];                                                                                \
    for (int r = 0; r < MR; r++) a[r] = arow[r];                                                   \
    for (int p = 0; p < k; p++) {                                                                  \
        V_##SUFFIX b0 = *(const V_##SUFFIX *)b;                                                    \
        for (int r = 0; r < MR; r++) {                                                             \
            V_##SUFFIX t0 = b0 * *a[r];                                                            \
            s[r] = s[r] + t0;                                                                      \
            a[r] += cs;                                                                            \
        }                                                                                          \
        b += bs;                                                                                   \
    }                                                                                              \
    for (int r = 0; r < MR; r++) memcpy(out[r], &s[r], sizeof s[r]);                               \
}                                                                                                  \
                                                                                                   \
/* c[r][j] = α·s[r][j] (+ β·c[r][j]) for r < rows, j < w; the common cases (α = 1 with β = 0   \
   or 1) in loops of their own, which the compiler vectorizes. */                                 \
static inline __attribute__((always_inline))                                                       \
void finish_##SUFFIX(T sums[MR][2 * VL], T alpha, T beta, T *c, long ldc, int rows, int w) {       \
    if (alpha == 1 && beta == 0) {                                                                 \
        for (int r = 0; r < rows; r++) memcpy(c + r * ldc, sums[r], (size_t)w * sizeof(T));        \
    } else if (alpha == 1 && beta == 1) {                                                          \
        for (int r = 0; r < rows; r++) {                                                           \
            T *cr = c + r * ldc;                                                                   \
            if (w == 2 * VL) { for (int j = 0; j < 2 * VL; j++) cr[j] = sums[r][j] + cr[j]; }      \
            else { for (int j = 0; j < w; j++) cr[j] = sums[r][j] + cr[j]; }                       \
        }                                                                                          \
    } else {                                                                                       \
        for (int r = 0; r < rows; r++) {                                                           \
            T *cr = c + r * ldc;                                                                   \
            for (int j = 0; j < w; j++) {                                                          \
                T v = alpha == 1 ? sums[r][j] : alpha * sums[r][j];                                \
                if (beta != 0) { T u = beta == 1 ? cr[j] : beta * cr[j]; v = v + u; }              \
                cr[j] = v;                                                                         \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* The sums loops as functions of their own, for each instruction set: alone in a function, the \
   loop gets its registers without spills. */                                                     \
__attribute__((noinline)) static void sums_portable_##SUFFIX(int k, const T *const *arow, long cs, \
                                                             const T *b, long bs, T out[MR][2 * VL]) { \
    sums_##SUFFIX(k, arow, cs, b, bs, out);                                                        \
}                                                                                                  \
__attribute__((noinline)) static void narrow_sums_portable_##SUFFIX(int k, const T *const *arow, long cs, \
                                                                    const T *b, long bs, T out[MR][2 * VL]) { \
    narrow_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                 \
}                                                                                                  \
SUMS_AVX2(SUFFIX, T, VL)                                                                             \
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
/* The loop over tiles, compiled once per instruction set (so that finishing a tile reads the   \
   sums with the vector width that wrote them). */                                               \
static inline __attribute__((always_inline))                                                       \
void rows_##SUFFIX(int avx2, bool transA, bool transB, int rowBegin, int rowEnd, int n, int k,     \
                   T alpha, const T *a, long lda, const T *b, long ldb,                            \
                   const T *packed, T beta, T *c, long ldc) {                                      \
    const int nr = NR_##SUFFIX;                                                                    \
    long rs = transA ? 1 : lda, cs = transA ? lda : 1;                                             \
    int panels = (n + nr - 1) / nr, all = packs_all_##SUFFIX(transB, k, ldb);                      \
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
            T sums[MR][2 * VL];                                                                    \
            if (w <= VL) {                                                                         \
                if (avx2) CALL_AVX2(narrow_sums, SUFFIX, k, arow, cs, panel, bs, sums);            \
                else narrow_sums_portable_##SUFFIX(k, arow, cs, panel, bs, sums);                  \
            } else {                                                                               \
                if (avx2) CALL_AVX2(sums, SUFFIX, k, arow, cs, panel, bs, sums);                   \
                else sums_portable_##SUFFIX(k, arow, cs, panel, bs, sums);                         \
            }                                                                                      \
            finish_##SUFFIX(sums, alpha, beta, c + (long)i0 * ldc + j0, ldc, rows, w);             \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
static void rows_portable_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                   T alpha, const T *a, long lda, const T *b, long ldb,            \
                                   const T *packed, T beta, T *c, long ldc) {                      \
    rows_##SUFFIX(0, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}                                                                                                  \
ROWS_AVX2(SUFFIX, T)                                                                               \
                                                                                                   \
void ckernels_gemm_rows_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                 T alpha, const T *a, long lda, const T *b, long ldb,              \
                                 const T *packed, T beta, T *c, long ldc) {                        \
    if (HAVE_AVX2()) CALL_AVX2(rows, SUFFIX, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
    else rows_portable_##SUFFIX(transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}

#if defined(CKERNELS_X86)
#define SUMS_AVX2(SUFFIX, T, VL)                                                                      \
TARGET_AVX2 __attribute__((noinline)) static void sums_avx2_##SUFFIX(                              \
    int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) {                \
    sums_##SUFFIX(k, arow, cs, b, bs, out);                                                        \
}                                                                                                  \
TARGET_AVX2 __attribute__((noinline)) static void narrow_sums_avx2_##SUFFIX(                       \
    int k, const T *const *arow, long cs, const T *b, long bs, T out[MR][2 * VL]) {                \
    narrow_sums_##SUFFIX(k, arow, cs, b, bs, out);                                                 \
}
#define ROWS_AVX2(SUFFIX, T)                                                                       \
TARGET_AVX2 static void rows_avx2_##SUFFIX(bool transA, bool transB, int rowBegin, int rowEnd, int n, int k, \
                                           T alpha, const T *a, long lda, const T *b, long ldb,    \
                                           const T *packed, T beta, T *c, long ldc) {              \
    rows_##SUFFIX(1, transA, transB, rowBegin, rowEnd, n, k, alpha, a, lda, b, ldb, packed, beta, c, ldc); \
}
#define HAVE_AVX2() use_avx2()
#define CALL_AVX2(NAME, SUFFIX, ...) NAME##_avx2_##SUFFIX(__VA_ARGS__)
#else
#define ROWS_AVX2(SUFFIX, T)
#define SUMS_AVX2(SUFFIX, T, VL)
#define HAVE_AVX2() 0
#define CALL_AVX2(NAME, SUFFIX, ...) NAME##_portable_##SUFFIX(__VA_ARGS__)
#endif

DEFINE_GEMM(f32, float, 8)
DEFINE_GEMM(f64, double, 4)

// The array form of ckernels_tanhf: one loop, compiled for AVX2 and for the baseline.
#include "CKernelsTanh.h"

#define TANH_LOOP(NAME, ATTR) \
ATTR static void NAME(float *x, long count) { for (long i = 0; i < count; i++) x[i] = ckernels_tanhf(x[i]); }
#if defined(CKERNELS_X86)
TANH_LOOP(tanh_avx2, TARGET_AVX2)
#endif
TANH_LOOP(tanh_portable, )

void ckernels_tanh_f32(float *x, long count) {
#if defined(CKERNELS_X86)
    if (use_avx2()) { tanh_avx2(x, count); return; }
#endif
    tanh_portable(x, count);
}
