/*
 * klog_gate.c - one cheap pass that tells whether a kernel log message can
 * concern the IOMMU at all.  Every pattern, related word and firmware-bug
 * subject of klog_scan.c holds one of the anchors below, each at the start
 * of a word; so do the markers the scan counts (a new boot, the ACPI table
 * list).  Most lines of a long log stop here.  Pure: no I/O.
 *
 * Sixteen bytes at a time: a byte is a candidate when it and the next one,
 * lowercased, can be an anchor's first two letters and the byte before is
 * no letter or digit; only candidates are compared with the anchors.  With
 * SSSE3 (every x86-64 CPU since 2006 but the oldest AMD ones, checked at
 * run time with CPUID) the two letters and the word boundary are table
 * lookups by nibble (PSHUFB, as Hyperscan's "Teddy" does), a third of the
 * generic vector code's work, and with AVX2 32 bytes at a time; elsewhere
 * GCC / clang generic vectors (SSE2, NEON).  With AVX2 the steady part of
 * a long log is gated a chunk at a time (klog_gate_scan), not a line.
 */
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define KLOG_GATE_X86 1
#endif

#include "agent/klog.h"

/* Does msg (n bytes) start with word, ignoring case?  word is lowercase. */
static int
starts_ci(const char *msg, size_t n, const char *word)
{
	size_t i;

	for (i = 0; word[i] != '\0'; i++)
		if (i >= n || (msg[i] | 0x20) != word[i])
			return 0;
	return 1;
}

/* Is there an anchor at p (the start of a word, first byte lowercased lc)? */
static int
anchor_at(const char *p, size_t n, int lc)
{
	switch (lc) {
	case 'a':
		/* "acpi: ": the firmware table list, counted (klog_acpi_table) */
		return starts_ci(p, n, "amd-vi") || starts_ci(p, n, "acs override") ||
		       starts_ci(p, n, "acpi: ");
	case 'b':
		/* VMX / SVM / kvm "disabled by BIOS", "not enabled (by BIOS)" */
		return starts_ci(p, n, "by bios");
	case 'd':
		return starts_ci(p, n, "dmar") || starts_ci(p, n, "drhd") ||
		       starts_ci(p, n, "directed i/o");
	case 'f':
		return starts_ci(p, n, "firmware bug");
	case 'i':
		/* "its" for the GICv3 ITS lines ("ITS@0x...", "ITS [mem ...") */
		return starts_ci(p, n, "iommu") || starts_ci(p, n, "ivrs") ||
		       starts_ci(p, n, "ivhd") || starts_ci(p, n, "iort") || starts_ci(p, n, "its");
	case 'l':
		/* a new boot in the same file */
		return starts_ci(p, n, "linux version");
	case 'r':
		return starts_ci(p, n, "remap") || starts_ci(p, n, "rmrr");
	case 's':
		return starts_ci(p, n, "smmu");
	case 'v':
		return starts_ci(p, n, "vfio") || starts_ci(p, n, "viable");
	case 'x':
		return starts_ci(p, n, "x2apic");
	default:
		return 0;
	}
}

/* A letter or digit (ASCII: every byte >= 0x80 ends a word). */
static int
is_word_byte(unsigned char c)
{
	return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
}

/* Can an anchor starting with lc1 go on with lc2 (both lowercased with
 * | 0x20)?  Most words that start with an anchor's letter fail here
 * ("driver", "audit", "irq"), before any string compare. */
static int
second_ok(int lc1, int lc2)
{
	switch (lc1) {
	case 'a':
		return lc2 == 'm' || lc2 == 'c';
	case 'b':
		return lc2 == 'y';
	case 'd':
		return lc2 == 'm' || lc2 == 'r' || lc2 == 'i';
	case 'f':
	case 'l':
		return lc2 == 'i';
	case 'i':
		return lc2 == 'o' || lc2 == 'v' || lc2 == 't';
	case 'r':
		return lc2 == 'e' || lc2 == 'm';
	case 's':
		return lc2 == 'm';
	case 'v':
		return lc2 == 'f' || lc2 == 'i';
	case 'x':
		return lc2 == '2';
	default:
		return 0;
	}
}

/* Bytes from up to to, one at a time (the first byte, a block's worth at
 * the end). */
static int
gate_bytes(const char *msg, size_t from, size_t to, size_t n)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t i;

	for (i = from; i < to && i + 1 < n; i++) {
		/* second_ok is 0 for a byte no anchor starts with */
		if ((i > 0 && is_word_byte(p[i - 1])) || !second_ok(p[i] | 0x20, p[i + 1] | 0x20))
			continue;
		if (anchor_at(msg + i, n - i, p[i] | 0x20))
			return 1;
	}
	return 0;
}

typedef unsigned char gate_v16 __attribute__((vector_size(16)));

/* The candidates among the 16 bytes at p (reading p[-1] and p[16] too),
 * one bit each, with generic vectors: each anchor's letter pairs compared. */
static unsigned
block_generic(const unsigned char *p)
{
	const gate_v16 low = {0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20,
	                      0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20};
	gate_v16 b, c, prev, lp, cand, word;
	unsigned long long h[2];
	unsigned mask = 0;
	size_t k;

	memcpy(&b, p, 16);
	memcpy(&c, p + 1, 16);
	memcpy(&prev, p - 1, 16);
	b |= low;
	c |= low;
	cand = (gate_v16)((b == 'a') & ((c == 'm') | (c == 'c'))) |
	       (gate_v16)((b == 'b') & (c == 'y')) |
	       (gate_v16)((b == 'd') & ((c == 'm') | (c == 'r') | (c == 'i'))) |
	       (gate_v16)(((b == 'f') | (b == 'l')) & (c == 'i')) |
	       (gate_v16)((b == 'i') & ((c == 'o') | (c == 'v') | (c == 't'))) |
	       (gate_v16)((b == 'r') & ((c == 'e') | (c == 'm'))) |
	       (gate_v16)((b == 's') & (c == 'm')) |
	       (gate_v16)((b == 'v') & ((c == 'f') | (c == 'i'))) |
	       (gate_v16)((b == 'x') & (c == '2'));
	lp = prev | low;
	word = (gate_v16)(((gate_v16)(lp - 'a') < 26) | ((gate_v16)(prev - '0') < 10));
	cand &= ~word;
	memcpy(h, &cand, 16);
	if ((h[0] | h[1]) == 0)
		return 0;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* a bit per byte: the bytes' top bits gathered by one multiply each */
	(void)k;
	mask = (unsigned)(((h[0] & 0x8080808080808080ull) * 0x0002040810204081ull) >> 56) |
	       (unsigned)(((h[1] & 0x8080808080808080ull) * 0x0002040810204081ull) >> 56) << 8;
#else
	for (k = 0; k < 16; k++)
		mask |= (unsigned)(((const unsigned char *)&cand)[k] != 0) << k;
#endif
	return mask;
}

#ifdef KLOG_GATE_X86
/* The nibble lookups of the SSSE3 and AVX2 blocks.  Eight groups of
 * anchors by first letter (a; b x; d; f l; i; r; s; v), a bit each: the
 * first letter says which groups it starts, the second which it can
 * follow, and a pair is a candidate when they share a group.  A byte's
 * bits are its low nibble's row AND its high nibble's, of the byte | 0x20
 * (the 0x20 bit is a letter's case).  A few pairs that start no anchor
 * pass too ("id", "if", "ry"): the compare turns them away; none that
 * starts one is lost (test_klog_gate: every anchor, either case, at
 * every offset, on every path).  The word boundary is exact, on the byte
 * itself: a letter or digit is lo 1-f of rows 4 and 6, lo 0-a of rows 5
 * and 7, lo 0-9 of row 3.  In the order _mm_setr_epi8 takes them: */
#define FIRST_LO                                                                                   \
	0x00, 0x01, 0x22, 0x40, 0x04, 0x00, (char)0x88, 0x00, 0x02, 0x10, 0, 0, 0x08, 0, 0, 0
#define FIRST_HI 0, 0, 0, 0, 0, 0, 0x1f, (char)0xe2, 0, 0, 0, 0, 0, 0, 0, 0
#define SECOND_LO 0, 0, 0x06, 0x01, 0x10, 0x20, (char)0x90, 0, 0, (char)0x8e, 0, 0, 0, 0x65, 0, 0x10
#define SECOND_HI 0, 0, 0, 0x02, 0, 0, (char)0xfd, 0x16, 0, 0, 0, 0, 0, 0, 0, 0
#define WORD_LO 0x06, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x07, 0x03, 1, 1, 1, 1, 1
#define WORD_HI 0, 0, 0, 0x04, 0x01, 0x02, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0

__attribute__((target("ssse3"))) static unsigned
block_ssse3(const unsigned char *p)
{
	const __m128i first_lo = _mm_setr_epi8(FIRST_LO), first_hi = _mm_setr_epi8(FIRST_HI);
	const __m128i second_lo = _mm_setr_epi8(SECOND_LO), second_hi = _mm_setr_epi8(SECOND_HI);
	const __m128i word_lo = _mm_setr_epi8(WORD_LO), word_hi = _mm_setr_epi8(WORD_HI);
	const __m128i nib = _mm_set1_epi8(0x0f), low = _mm_set1_epi8(0x20);
	const __m128i zero = _mm_setzero_si128();
	__m128i b, c, w, first, second, word;

	b = _mm_or_si128(_mm_loadu_si128((const __m128i *)p), low);
	c = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + 1)), low);
	w = _mm_loadu_si128((const __m128i *)(p - 1));
	first = _mm_and_si128(_mm_shuffle_epi8(first_lo, _mm_and_si128(b, nib)),
	                      _mm_shuffle_epi8(first_hi, _mm_and_si128(_mm_srli_epi16(b, 4), nib)));
	second = _mm_and_si128(
	        _mm_shuffle_epi8(second_lo, _mm_and_si128(c, nib)),
	        _mm_shuffle_epi8(second_hi, _mm_and_si128(_mm_srli_epi16(c, 4), nib)));
	word = _mm_and_si128(_mm_shuffle_epi8(word_lo, _mm_and_si128(w, nib)),
	                     _mm_shuffle_epi8(word_hi, _mm_and_si128(_mm_srli_epi16(w, 4), nib)));
	return (unsigned)(~_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(first, second), zero)) &
	                  _mm_movemask_epi8(_mm_cmpeq_epi8(word, zero))) &
	       0xffffu;
}

/* The same over 32 bytes with AVX2 (2013 on): VPSHUFB looks up within each
 * 16-byte half, so each table is there twice. */
__attribute__((target("avx2"))) static unsigned
block_avx2(const unsigned char *p)
{
	const __m256i first_lo = _mm256_setr_epi8(FIRST_LO, FIRST_LO);
	const __m256i first_hi = _mm256_setr_epi8(FIRST_HI, FIRST_HI);
	const __m256i second_lo = _mm256_setr_epi8(SECOND_LO, SECOND_LO);
	const __m256i second_hi = _mm256_setr_epi8(SECOND_HI, SECOND_HI);
	const __m256i word_lo = _mm256_setr_epi8(WORD_LO, WORD_LO);
	const __m256i word_hi = _mm256_setr_epi8(WORD_HI, WORD_HI);
	const __m256i nib = _mm256_set1_epi8(0x0f), low = _mm256_set1_epi8(0x20);
	const __m256i zero = _mm256_setzero_si256();
	__m256i b, c, w, first, second, word;

	b = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)p), low);
	c = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + 1)), low);
	w = _mm256_loadu_si256((const __m256i *)(p - 1));
	first = _mm256_and_si256(
	        _mm256_shuffle_epi8(first_lo, _mm256_and_si256(b, nib)),
	        _mm256_shuffle_epi8(first_hi, _mm256_and_si256(_mm256_srli_epi16(b, 4), nib)));
	second = _mm256_and_si256(
	        _mm256_shuffle_epi8(second_lo, _mm256_and_si256(c, nib)),
	        _mm256_shuffle_epi8(second_hi, _mm256_and_si256(_mm256_srli_epi16(c, 4), nib)));
	word = _mm256_and_si256(
	        _mm256_shuffle_epi8(word_lo, _mm256_and_si256(w, nib)),
	        _mm256_shuffle_epi8(word_hi, _mm256_and_si256(_mm256_srli_epi16(w, 4), nib)));
	return (unsigned)~_mm256_movemask_epi8(
	               _mm256_cmpeq_epi8(_mm256_and_si256(first, second), zero)) &
	       (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(word, zero));
}
#endif

/* A block's candidates checked against the anchors: 1 when one is. */
static int
block_hits(const char *msg, size_t at, size_t n, unsigned mask)
{
	size_t j;

	for (; mask != 0; mask &= mask - 1) {
		j = at + (size_t)__builtin_ctz(mask);
		if (anchor_at(msg + j, n - j, msg[j] | 0x20))
			return 1;
	}
	return 0;
}

/* The gate's walk for one block function of width bytes: the first byte
 * alone (no byte before it to read), whole blocks, and the end as one
 * more block that overlaps the last (its bytes already looked at masked
 * out), so a line has no byte-at-a-time tail.  An anchor cannot start at
 * the last byte.  Inlined into each caller, where block becomes a direct,
 * inlined call. */
static inline __attribute__((always_inline)) int
gate_walk(const char *msg, size_t n, unsigned (*block)(const unsigned char *), size_t width)
{
	const unsigned char *p = (const unsigned char *)msg;
	size_t i = 1, last;

	if (gate_bytes(msg, 0, 1, n))
		return 1;
	for (; i + width + 1 <= n; i += width)
		if (block_hits(msg, i, n, block(p + i)))
			return 1;
	if (i + 1 >= n)
		return 0;
	if (n < width + 2)
		return gate_bytes(msg, i, n, n);
	last = n - width - 1;
	return block_hits(msg, last, n, block(p + last) & ~((1u << (i - last)) - 1));
}

static int
gate_generic(const char *msg, size_t n)
{
	return gate_walk(msg, n, block_generic, 16);
}

#ifdef KLOG_GATE_X86
__attribute__((target("ssse3"))) static int
gate_ssse3(const char *msg, size_t n)
{
	return gate_walk(msg, n, block_ssse3, 16);
}

__attribute__((target("avx2"))) static int
gate_avx2(const char *msg, size_t n)
{
	return gate_walk(msg, n, block_avx2, 32);
}
#endif

static int gate_forced; /* a path tests asked for, KLOG_GATE_AUTO none */

#ifdef KLOG_GATE_X86
/* The best path this CPU runs, asked of CPUID once, when the first line
 * is gated: not __builtin_cpu_supports, whose start-up code runs a dozen
 * CPUIDs, each a trap to the hypervisor in a VM (a twentieth of a short
 * run's time).  AVX2 also needs the OS to save the YMM registers
 * (OSXSAVE, XCR0 bits 1 and 2).  Relaxed atomics: threads that race store
 * the same answer. */
static int
best_path(void)
{
	static int known; /* 0 not asked yet */
	unsigned a, b, c, d, lo, hi;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v != 0)
		return v;
	v = KLOG_GATE_GENERIC;
	if (__get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3)) {
		v = KLOG_GATE_SSSE3;
		if ((c & bit_OSXSAVE) && (c & bit_AVX)) {
			__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			if ((lo & 6) == 6 && __get_cpuid_count(7, 0, &a, &b, &c, &d) &&
			    (b & bit_AVX2))
				v = KLOG_GATE_AVX2;
		}
	}
	__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	return v;
}
#else
static int
best_path(void)
{
	return KLOG_GATE_GENERIC;
}
#endif

int
klog_gate_use(int path)
{
	if (path < KLOG_GATE_AUTO || path > KLOG_GATE_AVX2 ||
	    (path != KLOG_GATE_AUTO && path > best_path()))
		return -1;
	gate_forced = path;
	return 0;
}

int
klog_gate(const char *msg, size_t n)
{
	int path = gate_forced != KLOG_GATE_AUTO ? gate_forced : best_path();

#ifdef KLOG_GATE_X86
	/* a line shorter than two AVX2 blocks goes in SSSE3 blocks */
	if (path == KLOG_GATE_AVX2 && n >= 34)
		return gate_avx2(msg, n);
	if (path >= KLOG_GATE_SSSE3)
		return gate_ssse3(msg, n);
#endif
	(void)path;
	return gate_generic(msg, n);
}

/*
 * The steady scan's pass over many lines at once (klog_gate_scan): the
 * first byte that needs a line read in full.  Beside the anchors, a shell
 * prompt's bytes ('$', '#', '`', '~': klog_line.c calls such a line noise,
 * and one with "grep" marks an excerpt), "gr" (that "grep"), and with
 * digits the first byte of a line when it is a digit or a blank (a kmsg
 * record's sequence number, after the blanks klog_line trims).
 */
static int
is_prompt_byte(int c)
{
	return c == '$' || c == '#' || c == '`' || c == '~';
}

/* A digit, or a byte up to the blank (the blanks klog_line trims before
 * looking for a digit are among them). */
static int
is_digit_or_blank(int c)
{
	return (c >= '0' && c <= '9') || (unsigned char)c <= ' ';
}

/* Is byte i of text (n bytes, a line starting at 0) one to stop at? */
static int
scan_byte(const char *text, size_t i, size_t n, int digits)
{
	const unsigned char *p = (const unsigned char *)text;

	if (is_prompt_byte(p[i]) || (p[i] == 'g' && i + 1 < n && p[i + 1] == 'r'))
		return 1;
	if (digits && (i == 0 || p[i - 1] == '\n') && is_digit_or_blank(p[i]))
		return 1;
	return gate_bytes(text, i, i + 1, n);
}

#ifdef KLOG_GATE_X86
/* The stops of the 32 bytes at p (reading p[-1] .. p[32]): *now those
 * that stop at once (prompt bytes, "gr", a line's first byte per
 * digits), *cand the anchor candidates to compare.  A line's first byte
 * is flagged at the newline before it, shifted by the caller. */
__attribute__((target("avx2"))) static void
scan_block_avx2(const unsigned char *p, int digits, uint64_t *now, unsigned *cand)
{
	const __m256i nl = _mm256_set1_epi8('\n');
	__m256i raw = _mm256_loadu_si256((const __m256i *)p);
	__m256i next = _mm256_loadu_si256((const __m256i *)(p + 1));
	__m256i prompt, gr, lead;
	unsigned m, lines = 0;

	prompt = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(raw, _mm256_set1_epi8('$')),
	                                         _mm256_cmpeq_epi8(raw, _mm256_set1_epi8('#'))),
	                         _mm256_or_si256(_mm256_cmpeq_epi8(raw, _mm256_set1_epi8('`')),
	                                         _mm256_cmpeq_epi8(raw, _mm256_set1_epi8('~'))));
	gr = _mm256_and_si256(_mm256_cmpeq_epi8(raw, _mm256_set1_epi8('g')),
	                      _mm256_cmpeq_epi8(next, _mm256_set1_epi8('r')));
	m = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(prompt, gr));
	if (digits) {
		/* a digit, or a blank up to 0x20 (the trimmed ones are all of them) */
		lead = _mm256_or_si256(
		        _mm256_cmpeq_epi8(
		                _mm256_min_epu8(_mm256_sub_epi8(next, _mm256_set1_epi8('0')),
		                                _mm256_set1_epi8(9)),
		                _mm256_sub_epi8(next, _mm256_set1_epi8('0'))),
		        _mm256_cmpeq_epi8(_mm256_min_epu8(next, _mm256_set1_epi8(' ')), next));
		lines = (unsigned)_mm256_movemask_epi8(
		        _mm256_and_si256(_mm256_cmpeq_epi8(raw, nl), lead));
	}
	*now = (uint64_t)m | (uint64_t)lines << 1;
	*cand = block_avx2(p);
}

/* The scan's walk: the first byte alone, whole blocks, then bytes one at
 * a time (the rest of the chunk's last block; a chunk holds many lines).
 * The first stop, or n. */
__attribute__((target("avx2"))) static size_t
scan_avx2(const char *text, size_t n, int digits)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned cand;
	uint64_t now;
	size_t i = 1, j, stop;

	if (n == 0 || scan_byte(text, 0, n, digits))
		return 0;
	for (; i + 33 <= n; i += 32) {
		scan_block_avx2(p + i, digits, &now, &cand);
		stop = now != 0 ? (size_t)__builtin_ctzll(now) : 64;
		for (; cand != 0; cand &= cand - 1) {
			j = (size_t)__builtin_ctz(cand);
			if (j >= stop)
				break;
			if (anchor_at(text + i + j, n - i - j, text[i + j] | 0x20))
				return i + j;
		}
		if (stop < 64)
			return i + stop < n ? i + stop : n;
	}
	for (; i < n; i++)
		if (scan_byte(text, i, n, digits))
			return i;
	return n;
}
#endif

/* Where the steady scan must look at a line in full: the offset in text
 * (n bytes of whole lines, the first starting at text) of the first stop,
 * n when there is none, or -1 when this CPU has no vector path for it
 * (the caller then goes line by line). */
long
klog_gate_scan(const char *text, size_t n, int digits)
{
#ifdef KLOG_GATE_X86
	if (gate_forced == KLOG_GATE_AUTO && best_path() == KLOG_GATE_AVX2)
		return (long)scan_avx2(text, n, digits);
#endif
	(void)text;
	(void)n;
	(void)digits;
	return -1;
}
