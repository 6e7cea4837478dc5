/* SPDX-License-Identifier: ISC */
/*
 * avl.c — the intrusive AVL tree of avl.h: insertion, removal, exact and successor lookups and
 * in-order walks. Every node keeps its parent and the height of its subtree (a leaf has height
 * 1, an empty subtree 0); after each change the path up to the root is re-measured and any node
 * whose subtrees differ in height by two is rotated back into balance. Nodes belong to the
 * caller; the tree only relinks them.
 */
#include "config.h"

#include "routprotd/avl.h"

static int height(const struct rp_avl_node *n)
{
	return n ? n->height : 0;
}

static void update_height(struct rp_avl_node *n)
{
	int l = height(n->left), r = height(n->right);

	n->height = (l > r ? l : r) + 1;
}

/* Right-heavy subtrees give a positive balance. */
static int balance(const struct rp_avl_node *n)
{
	return height(n->right) - height(n->left);
}

/* Makes `parent` (or the root, when parent is NULL) point at `new` instead of `old`. */
static void replace_child(struct rp_avl_tree *t, struct rp_avl_node *parent, struct rp_avl_node *old,
			  struct rp_avl_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

/*
 *      x                y
 *     / \              / \
 *    a   y     ->     x   c
 *       / \          / \
 *      b   c        a   b
 */
static struct rp_avl_node *rotate_left(struct rp_avl_tree *t, struct rp_avl_node *x)
{
	struct rp_avl_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

/* The mirror image of rotate_left. */
static struct rp_avl_node *rotate_right(struct rp_avl_tree *t, struct rp_avl_node *x)
{
	struct rp_avl_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update_height(x);
	update_height(y);
	return y;
}

/* Restores balance at `n` (its subtrees are balanced); returns the subtree's new root. */
static struct rp_avl_node *rebalance_node(struct rp_avl_tree *t, struct rp_avl_node *n)
{
	int b = balance(n);

	if (b > 1) {
		if (balance(n->right) < 0)
			rotate_right(t, n->right);
		return rotate_left(t, n);
	}
	if (b < -1) {
		if (balance(n->left) > 0)
			rotate_left(t, n->left);
		return rotate_right(t, n);
	}
	update_height(n);
	return n;
}

/* Walks from `n` to the root re-measuring heights and rotating where needed. The walk stops
 * early once a subtree keeps both its height and its root, as nothing above it changed. */
static void rebalance_up(struct rp_avl_tree *t, struct rp_avl_node *n)
{
	while (n) {
		int old = n->height;
		struct rp_avl_node *top = rebalance_node(t, n);

		if (top == n && n->height == old)
			return;
		n = top->parent;
	}
}

void rp_avl_init(struct rp_avl_tree *t, rp_avl_cmp_fn cmp)
{
	t->root = NULL;
	t->cmp = cmp;
	t->count = 0;
}

struct rp_avl_node *rp_avl_insert(struct rp_avl_tree *t, struct rp_avl_node *n)
{
	struct rp_avl_node *parent = NULL, **link = &t->root;

	while (*link) {
		int c = t->cmp(n, *link);

		if (c == 0)
			return *link;
		parent = *link;
		link = c < 0 ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->height = 1;
	*link = n;
	t->count++;
	rebalance_up(t, parent);
	return NULL;
}

static struct rp_avl_node *leftmost(struct rp_avl_node *n)
{
	while (n->left)
		n = n->left;
	return n;
}

/* Removes `n`, which has two children, by moving its in-order successor into its place;
 * returns the lowest node whose subtree lost height. */
static struct rp_avl_node *unlink_inner(struct rp_avl_tree *t, struct rp_avl_node *n)
{
	struct rp_avl_node *s = leftmost(n->right), *fix;

	if (s->parent == n) {
		fix = s;
	} else {
		fix = s->parent;
		fix->left = s->right;
		if (s->right)
			s->right->parent = fix;
		s->right = n->right;
		n->right->parent = s;
	}
	s->left = n->left;
	n->left->parent = s;
	s->parent = n->parent;
	s->height = n->height;
	replace_child(t, n->parent, n, s);
	return fix;
}

void rp_avl_remove(struct rp_avl_tree *t, struct rp_avl_node *n)
{
	struct rp_avl_node *fix;

	if (n->left && n->right) {
		fix = unlink_inner(t, n);
	} else {
		struct rp_avl_node *child = n->left ? n->left : n->right;

		if (child)
			child->parent = n->parent;
		replace_child(t, n->parent, n, child);
		fix = n->parent;
	}
	n->left = n->right = n->parent = NULL;
	n->height = 0;
	t->count--;
	rebalance_up(t, fix);
}

struct rp_avl_node *rp_avl_find(const struct rp_avl_tree *t, const struct rp_avl_node *key)
{
	struct rp_avl_node *n = t->root;

	while (n) {
		int c = t->cmp(key, n);

		if (c == 0)
			return n;
		n = c < 0 ? n->left : n->right;
	}
	return NULL;
}

struct rp_avl_node *rp_avl_find_after(const struct rp_avl_tree *t, const struct rp_avl_node *key)
{
	struct rp_avl_node *n = t->root, *best = NULL;

	while (n) {
		if (t->cmp(key, n) < 0) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct rp_avl_node *rp_avl_first(const struct rp_avl_tree *t)
{
	return t->root ? leftmost(t->root) : NULL;
}

struct rp_avl_node *rp_avl_next(const struct rp_avl_node *n)
{
	struct rp_avl_node *p;

	if (n->right)
		return leftmost(n->right);
	p = n->parent;
	while (p && n == p->right) {
		n = p;
		p = p->parent;
	}
	return p;
}
