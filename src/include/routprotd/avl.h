/* SPDX-License-Identifier: ISC */
/*
 * avl.h — an intrusive balanced binary search tree (AVL): ordered maps for large tables (RIP
 * routes, the router manager's route table) with O(log n) insert, delete, lookup and successor
 * queries, and in-order walks that survive deletion of the current node via rp_avl_next().
 * The node lives inside the caller's struct; the tree never allocates.
 */
#ifndef RP_SDK_AVL_H
#define RP_SDK_AVL_H

#include <stddef.h>

struct rp_avl_node {
	struct rp_avl_node *left, *right, *parent;
	int height;
};

/* <0, 0, >0 as a is before, equal to, after b. */
typedef int (*rp_avl_cmp_fn)(const struct rp_avl_node *a, const struct rp_avl_node *b);

struct rp_avl_tree {
	struct rp_avl_node *root;
	rp_avl_cmp_fn cmp;
	size_t count;
};

void rp_avl_init(struct rp_avl_tree *t, rp_avl_cmp_fn cmp);
/* Inserts `n`; returns NULL, or the existing equal node (then `n` is not inserted). */
struct rp_avl_node *rp_avl_insert(struct rp_avl_tree *t, struct rp_avl_node *n);
void rp_avl_remove(struct rp_avl_tree *t, struct rp_avl_node *n);
/* The node equal to `key` (a node of the same type used only for comparison), or NULL. */
struct rp_avl_node *rp_avl_find(const struct rp_avl_tree *t, const struct rp_avl_node *key);
/* The first node strictly after `key` in order (key need not be in the tree), or NULL. */
struct rp_avl_node *rp_avl_find_after(const struct rp_avl_tree *t, const struct rp_avl_node *key);
struct rp_avl_node *rp_avl_first(const struct rp_avl_tree *t);
struct rp_avl_node *rp_avl_next(const struct rp_avl_node *n);

#define rp_avl_entry(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
