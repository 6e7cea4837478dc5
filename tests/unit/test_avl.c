/* SPDX-License-Identifier: ISC */
/*
 * test_avl.c — unit tests of the intrusive AVL tree (lib/avl.c): long random insert/remove runs
 * compared with a reference set, the AVL invariants (ordering, parent links, heights, balance)
 * after every operation of a smaller run, exact and successor lookups, walks that delete the
 * current node, duplicate insertion. All randomness is seeded, so failures reproduce.
 */
#include "config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "routprotd/avl.h"

struct item {
	struct rp_avl_node node;
	int key;
};

static int item_cmp(const struct rp_avl_node *a, const struct rp_avl_node *b)
{
	int x = rp_avl_entry(a, const struct item, node)->key;
	int y = rp_avl_entry(b, const struct item, node)->key;

	return (x > y) - (x < y);
}

static int key_of(const struct rp_avl_node *n)
{
	return rp_avl_entry(n, const struct item, node)->key;
}

/* xorshift64: a small seeded generator, independent of the C library's rand(). */
static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 32);
}

/* ---- invariants ---- */

/* Fails the test when `cond` is false. Unlike ck_assert, a passing check costs nothing (Check
 * records every passing ck_assert, which dominates the run time of the invariant walks). */
#define EXPECT(cond, ...) \
	do { \
		if (!(cond)) \
			ck_abort_msg(__VA_ARGS__); \
	} while (0)

/* Checks the subtree at `n`: parent links, stored heights, balance, keys strictly inside
 * (lo, hi) (the bounds are open; has_lo/has_hi say whether they apply). Returns its height
 * and adds its size to *count. */
static int check_subtree(const struct rp_avl_node *n, const struct rp_avl_node *parent, bool has_lo,
			 int lo, bool has_hi, int hi, size_t *count)
{
	int hl, hr, k;

	if (!n)
		return 0;
	k = key_of(n);
	EXPECT(n->parent == parent, "key %d: wrong parent link", k);
	EXPECT(!has_lo || k > lo, "key %d: not after %d", k, lo);
	EXPECT(!has_hi || k < hi, "key %d: not before %d", k, hi);
	hl = check_subtree(n->left, n, has_lo, lo, true, k, count);
	hr = check_subtree(n->right, n, true, k, has_hi, hi, count);
	EXPECT(abs(hl - hr) <= 1, "key %d: unbalanced, heights %d and %d", k, hl, hr);
	EXPECT(n->height == (hl > hr ? hl : hr) + 1, "key %d: stored height %d, real %d", k,
	       n->height, (hl > hr ? hl : hr) + 1);
	(*count)++;
	return n->height;
}

static void check_tree(const struct rp_avl_tree *t)
{
	size_t count = 0;

	check_subtree(t->root, NULL, false, 0, false, 0, &count);
	ck_assert_uint_eq(count, t->count);
}

/* The in-order walk must list exactly the keys whose flag is set in present[0..nkeys). */
static void check_walk(const struct rp_avl_tree *t, const bool *present, int nkeys)
{
	const struct rp_avl_node *n = rp_avl_first(t);
	size_t seen = 0;

	for (int k = 0; k < nkeys; k++) {
		if (!present[k])
			continue;
		EXPECT(n != NULL, "walk ended before key %d", k);
		EXPECT(key_of(n) == k, "walk gave %d where %d was expected", key_of(n), k);
		n = rp_avl_next(n);
		seen++;
	}
	ck_assert_ptr_null(n);
	ck_assert_uint_eq(seen, t->count);
}

/* ---- helpers over an item array whose i-th item has key i ---- */

static struct item *make_items(int n)
{
	struct item *items = calloc((size_t)n, sizeof(*items));

	ck_assert_ptr_nonnull(items);
	for (int i = 0; i < n; i++)
		items[i].key = i;
	return items;
}

static struct rp_avl_node *find_key(const struct rp_avl_tree *t, int key)
{
	struct item probe = { .key = key };

	return rp_avl_find(t, &probe.node);
}

static struct rp_avl_node *find_after_key(const struct rp_avl_tree *t, int key)
{
	struct item probe = { .key = key };

	return rp_avl_find_after(t, &probe.node);
}

/* Toggles key k: inserts it when absent, removes it when present. */
static void toggle(struct rp_avl_tree *t, struct item *items, bool *present, int k)
{
	if (present[k]) {
		rp_avl_remove(t, &items[k].node);
		present[k] = false;
	} else {
		EXPECT(rp_avl_insert(t, &items[k].node) == NULL, "insert of %d found a twin", k);
		present[k] = true;
	}
}

/* ---- tests ---- */

START_TEST(empty_tree)
{
	struct rp_avl_tree t;

	rp_avl_init(&t, item_cmp);
	ck_assert_ptr_null(rp_avl_first(&t));
	ck_assert_ptr_null(find_key(&t, 1));
	ck_assert_ptr_null(find_after_key(&t, 1));
	ck_assert_uint_eq(t.count, 0);
	check_tree(&t);
}
END_TEST

/* Every operation of a few thousand random toggles over a small key space keeps the tree a
 * valid AVL tree holding exactly the expected keys. */
START_TEST(invariants_after_every_operation)
{
	enum { NKEYS = 300, NOPS = 4000 };
	struct item *items = make_items(NKEYS);
	bool present[NKEYS] = { false };
	struct rp_avl_tree t;
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	rp_avl_init(&t, item_cmp);
	for (int op = 0; op < NOPS; op++) {
		toggle(&t, items, present, (int)(rnd(&seed) % NKEYS));
		check_tree(&t);
		check_walk(&t, present, NKEYS);
	}
	free(items);
}
END_TEST

/* Ascending and descending insertion (every insertion rotates) stay within the AVL height
 * bound, and removal from the ends keeps the invariants. */
START_TEST(sorted_insertion)
{
	enum { N = 4095 };
	struct item *items = make_items(N);
	struct rp_avl_tree t;

	rp_avl_init(&t, item_cmp);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_null(rp_avl_insert(&t, &items[i].node));
	check_tree(&t);
	ck_assert_int_le(t.root->height, 17); /* 1.44 log2(N + 2) */
	for (int i = 0; i < N; i += 2)
		rp_avl_remove(&t, &items[i].node);
	check_tree(&t);
	for (int i = N - 1; i >= 0; i--) {
		if (i % 2 == 0)
			ck_assert_ptr_null(rp_avl_insert(&t, &items[i].node));
	}
	check_tree(&t);
	ck_assert_uint_eq(t.count, N);
	while (t.root) {
		rp_avl_remove(&t, t.root);
		if (t.count % 512 == 0)
			check_tree(&t);
	}
	ck_assert_uint_eq(t.count, 0);
	free(items);
}
END_TEST

/* The sorted list of present keys: the reference the tree is compared with. */
static int *sorted_keys(const bool *present, int nkeys, int *n)
{
	int *keys = malloc(sizeof(int) * (size_t)nkeys);

	ck_assert_ptr_nonnull(keys);
	*n = 0;
	for (int k = 0; k < nkeys; k++) {
		if (present[k])
			keys[(*n)++] = k;
	}
	return keys;
}

/* Index of the first element of keys[0..n) greater than k (n when there is none). */
static int upper_bound(const int *keys, int n, int k)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (keys[mid] <= k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Lookups of random keys (present, absent, below and above the range) agree with a binary
 * search of the sorted reference array. */
static void compare_lookups(const struct rp_avl_tree *t, const bool *present, int nkeys,
			    uint64_t *seed)
{
	int n, *keys = sorted_keys(present, nkeys, &n);

	ck_assert_uint_eq((size_t)n, t->count);
	for (int i = 0; i < 2000; i++) {
		int k = (int)(rnd(seed) % (uint32_t)(nkeys + 20)) - 10;
		struct rp_avl_node *f = find_key(t, k), *a = find_after_key(t, k);
		int ub = upper_bound(keys, n, k);

		if (k >= 0 && k < nkeys && present[k])
			EXPECT(f && key_of(f) == k, "find(%d) failed", k);
		else
			EXPECT(f == NULL, "find(%d) found an absent key", k);
		if (ub == n)
			EXPECT(a == NULL, "find_after(%d) found %d past the end", k, key_of(a));
		else
			EXPECT(a && key_of(a) == keys[ub], "find_after(%d) != %d", k, keys[ub]);
	}
	free(keys);
}

/* 100,000 keys, 400,000 random insertions and removals, compared with the reference set at
 * regular checkpoints and emptied at the end. */
START_TEST(random_large)
{
	enum { NKEYS = 100000, NOPS = 400000, CHECK_EVERY = 50000 };
	struct item *items = make_items(NKEYS);
	bool *present = calloc(NKEYS, sizeof(bool));
	struct rp_avl_tree t;
	uint64_t seed = 0x2545f4914f6cdd1dull;

	ck_assert_ptr_nonnull(present);
	rp_avl_init(&t, item_cmp);
	/* first fill about half the key space, then churn */
	for (int k = 0; k < NKEYS; k++) {
		if (rnd(&seed) & 1)
			toggle(&t, items, present, k);
	}
	for (int op = 1; op <= NOPS; op++) {
		toggle(&t, items, present, (int)(rnd(&seed) % NKEYS));
		if (op % CHECK_EVERY == 0) {
			check_tree(&t);
			check_walk(&t, present, NKEYS);
			compare_lookups(&t, present, NKEYS, &seed);
		}
	}
	for (int k = 0; k < NKEYS; k++) {
		if (present[k])
			toggle(&t, items, present, k);
	}
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
	free(present);
	free(items);
}
END_TEST

START_TEST(find_after_present_and_absent)
{
	struct item items[10];
	struct rp_avl_tree t;

	rp_avl_init(&t, item_cmp);
	for (int i = 0; i < 10; i++) {
		items[i].key = (i + 1) * 10; /* 10, 20, ..., 100 */
		ck_assert_ptr_null(rp_avl_insert(&t, &items[i].node));
	}
	ck_assert_int_eq(key_of(find_after_key(&t, 10)), 20);   /* present */
	ck_assert_int_eq(key_of(find_after_key(&t, 90)), 100);  /* present */
	ck_assert_int_eq(key_of(find_after_key(&t, 15)), 20);   /* absent, inside */
	ck_assert_int_eq(key_of(find_after_key(&t, 5)), 10);    /* absent, below */
	ck_assert_int_eq(key_of(find_after_key(&t, -1000)), 10);
	ck_assert_ptr_null(find_after_key(&t, 100));            /* present, last */
	ck_assert_ptr_null(find_after_key(&t, 101));            /* absent, above */
	ck_assert_int_eq(key_of(find_key(&t, 50)), 50);
	ck_assert_ptr_null(find_key(&t, 55));
	/* find_after after removing the successor skips to the next one */
	rp_avl_remove(&t, &items[1].node); /* 20 */
	ck_assert_int_eq(key_of(find_after_key(&t, 10)), 30);
	ck_assert_int_eq(key_of(find_after_key(&t, 20)), 30);
	check_tree(&t);
}
END_TEST

/* Walks that remove the node they stand on, fetching the successor first. */
START_TEST(walk_with_deletion)
{
	enum { N = 1000 };
	struct item *items = make_items(N);
	struct rp_avl_tree t;
	struct rp_avl_node *n, *next;
	int expect;

	rp_avl_init(&t, item_cmp);
	for (int i = 0; i < N; i++)
		ck_assert_ptr_null(rp_avl_insert(&t, &items[(i * 389) % N].node)); /* 389 is prime */
	expect = 0;
	for (n = rp_avl_first(&t); n; n = next) {
		ck_assert_int_eq(key_of(n), expect);
		expect++;
		next = rp_avl_next(n);
		if (key_of(n) % 3 != 0)
			rp_avl_remove(&t, n);
	}
	ck_assert_int_eq(expect, N);
	check_tree(&t);
	expect = 0;
	for (n = rp_avl_first(&t); n; n = rp_avl_next(n)) {
		ck_assert_int_eq(key_of(n), expect);
		expect += 3;
	}
	ck_assert_uint_eq(t.count, (N + 2) / 3);
	for (n = rp_avl_first(&t); n; n = next) {
		next = rp_avl_next(n);
		rp_avl_remove(&t, n);
	}
	ck_assert_ptr_null(t.root);
	ck_assert_uint_eq(t.count, 0);
	free(items);
}
END_TEST

START_TEST(duplicate_insert)
{
	struct item a = { .key = 7 }, b = { .key = 7 }, c = { .key = 3 };
	struct rp_avl_tree t;

	rp_avl_init(&t, item_cmp);
	ck_assert_ptr_null(rp_avl_insert(&t, &a.node));
	ck_assert_ptr_null(rp_avl_insert(&t, &c.node));
	ck_assert_ptr_eq(rp_avl_insert(&t, &b.node), &a.node);
	ck_assert_ptr_eq(rp_avl_insert(&t, &a.node), &a.node); /* the same node again */
	ck_assert_uint_eq(t.count, 2);
	ck_assert_ptr_eq(find_key(&t, 7), &a.node);
	check_tree(&t);
	/* after removal the equal node can take its place */
	rp_avl_remove(&t, &a.node);
	ck_assert_ptr_null(rp_avl_insert(&t, &b.node));
	ck_assert_ptr_eq(find_key(&t, 7), &b.node);
	ck_assert_uint_eq(t.count, 2);
	check_tree(&t);
}
END_TEST

/* Removal of a leaf, of a node with one child, of an inner node whose successor is its right
 * child, and of one whose successor lies deeper; each shape is asserted before removal. */
START_TEST(remove_shapes)
{
	static const int keys[] = { 50, 30, 70, 20, 40, 60, 80, 10, 45, 65, 75, 90, 62 };
	enum { N = sizeof(keys) / sizeof(keys[0]) };
	struct item items[N];
	struct rp_avl_tree t;
	struct rp_avl_node *n, *s;

	rp_avl_init(&t, item_cmp);
	for (int i = 0; i < N; i++) {
		items[i].key = keys[i];
		ck_assert_ptr_null(rp_avl_insert(&t, &items[i].node));
		check_tree(&t);
	}
	/* a leaf */
	n = find_key(&t, 10);
	ck_assert(!n->left && !n->right);
	rp_avl_remove(&t, n);
	check_tree(&t);
	/* a leaf whose removal unbalances its grandparent 30 (right-heavy via 40, 45) */
	n = find_key(&t, 20);
	ck_assert(!n->left && !n->right);
	rp_avl_remove(&t, n);
	check_tree(&t);
	ck_assert_int_eq(key_of(find_key(&t, 40)->left), 30);
	/* the root, with two children; its successor lies deeper in the right subtree */
	n = t.root;
	s = rp_avl_next(n);
	ck_assert(n->left && n->right);
	ck_assert_ptr_ne(s, n->right);
	rp_avl_remove(&t, n);
	check_tree(&t);
	ck_assert_ptr_eq(t.root, s);
	/* a node with one child */
	n = find_key(&t, 62);
	ck_assert(!n->left && n->right);
	rp_avl_remove(&t, n);
	check_tree(&t);
	/* two children, the successor is its right child */
	n = find_key(&t, 80);
	ck_assert(n->left && n->right && !n->right->left);
	rp_avl_remove(&t, n);
	check_tree(&t);
	ck_assert_uint_eq(t.count, N - 5);
	ck_assert_ptr_null(find_key(&t, 50));
	ck_assert_int_eq(key_of(find_after_key(&t, 50)), 60);
	ck_assert_int_eq(key_of(find_after_key(&t, 62)), 65);
}
END_TEST

static Suite *avl_suite(void)
{
	Suite *s = suite_create("avl");
	TCase *tc = tcase_create("avl");

	tcase_set_timeout(tc, 120); /* the large run is slow under valgrind */
	tcase_add_test(tc, empty_tree);
	tcase_add_test(tc, invariants_after_every_operation);
	tcase_add_test(tc, sorted_insertion);
	tcase_add_test(tc, random_large);
	tcase_add_test(tc, find_after_present_and_absent);
	tcase_add_test(tc, walk_with_deletion);
	tcase_add_test(tc, duplicate_insert);
	tcase_add_test(tc, remove_shapes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(avl_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
