//go:build unix && !linux

package bench

import "syscall"

// setParentDeathSignal does nothing where the kernel has no parent-death signal; the
// run's cleanup still stops every server it started.
func setParentDeathSignal(*syscall.SysProcAttr) {}
