package envelope

import (
	"math/rand/v2"
	"testing"

	"github.com/pierrec/lz4/v4"
	"github.com/zeebo/xxh3"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1KiB", 1 << 10}, {"1MiB", 1 << 20}}

// BenchmarkStore compares Store with its baseline in the same run: the LZ4 block
// compression and xxHash3-64 it cannot avoid, into a preallocated buffer.
func BenchmarkStore(b *testing.B) {
	for _, size := range benchSizes {
		data := testInput(rand.New(rand.NewPCG(5, 6)), "records", size.n)
		b.Run(size.name+"/envelope", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := Store(data, FormatMsgpack); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/baseline-lz4+xxh3", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			dst := make([]byte, lz4.CompressBlockBound(len(data)))
			var c lz4.Compressor
			for b.Loop() {
				if _, err := c.CompressBlock(data, dst); err != nil {
					b.Fatal(err)
				}
				_ = xxh3.Hash(data)
			}
		})
	}
}

// BenchmarkRetrieve compares Retrieve with its baseline in the same run: LZ4 block
// decompression into a preallocated buffer and xxHash3-64.
func BenchmarkRetrieve(b *testing.B) {
	for _, size := range benchSizes {
		data := testInput(rand.New(rand.NewPCG(5, 6)), "records", size.n)
		env, err := Store(data, FormatMsgpack)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(size.name+"/envelope", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, _, err := Retrieve(env); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/baseline-lz4+xxh3", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			f, rerr := decodeFields(env)
			if rerr != nil {
				b.Fatal(rerr)
			}
			dst := make([]byte, len(data))
			for b.Loop() {
				if _, err := lz4.UncompressBlock(f.compressed, dst); err != nil {
					b.Fatal(err)
				}
				_ = xxh3.Hash(dst)
			}
		})
	}
}
