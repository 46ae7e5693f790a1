package bearer

import (
	"strings"
	"testing"
)

// TestValid follows RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~"
// / "+" / "/" ) *"=".
func TestValid(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"a", "ck_live_abc123", "A-Z.a_z~0+9/", "abc==", strings.Repeat("k", MaxLen)} {
		if !Valid(s) {
			t.Errorf("Valid(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "=", "==abc", "a=b", "a b", "a\\nb", "ключ", "a:b", "a,b", "a\"b", strings.Repeat("k", MaxLen+1)} {
		if Valid(s) {
			t.Errorf("Valid(%q) = true, want false", s)
		}
	}
}
