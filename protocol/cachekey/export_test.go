package cachekey

// Hooks for the external tests that compare the scalar path with the general path.

// GeneralCanonicalArgs is CanonicalArgs without the scalar path.
func GeneralCanonicalArgs(args ...any) ([]byte, error) { return canonicalArgs(args) }

// ScalarCanonicalArgs is the scalar path alone; ok is false when it leaves args to the
// general path.
func ScalarCanonicalArgs(args ...any) (b []byte, ok bool) { return appendScalarArgs(nil, args) }
