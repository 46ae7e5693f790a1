package main

import (
	"fmt"
	"io"
	"strings"
)

// hexDump writes at most maxBytes of b as lines of 16 bytes: offset, hex, and the
// printable ASCII bytes (others as "."), each line starting with indent. It notes how
// many bytes it left out.
func hexDump(w io.Writer, indent string, b []byte, base, maxBytes int) {
	shown := b
	if len(shown) > maxBytes {
		shown = shown[:maxBytes]
	}
	for off := 0; off < len(shown); off += 16 {
		line := shown[off:min(off+16, len(shown))]
		var hx, ascii strings.Builder
		for i := 0; i < 16; i++ {
			if i == 8 {
				hx.WriteByte(' ')
			}
			if i < len(line) {
				fmt.Fprintf(&hx, "%02x ", line[i])
				ascii.WriteByte(printableASCII(line[i]))
			} else {
				hx.WriteString("   ")
			}
		}
		fmt.Fprintf(w, "%s%04x  %s |%s|\n", indent, base+off, hx.String(), ascii.String())
	}
	if len(b) > len(shown) {
		fmt.Fprintf(w, "%s…     (%d more bytes)\n", indent, len(b)-len(shown))
	}
}

func printableASCII(c byte) byte {
	if c >= 0x20 && c < 0x7f {
		return c
	}
	return '.'
}
