package cachekey

// Set is an unordered collection of arguments. It encodes as an array of its elements'
// canonical encodings, sorted by those bytes with duplicates removed, so neither the
// order of the elements nor repeats change the key: Set{3, 1, 2, 1} and Set{1, 2, 3}
// give the same key, and so do Set{2, 2.0} and Set{2}. Elements follow the same rules
// as any other argument.
//
// Go's usual map[T]struct{} sets are maps with non-string keys or struct values, which
// the data model refuses: convert them to a Set (for example with NewSet).
type Set []any

// NewSet returns a Set of the given elements.
func NewSet[T any](elems ...T) Set {
	s := make(Set, len(elems))
	for i, e := range elems {
		s[i] = e
	}
	return s
}
