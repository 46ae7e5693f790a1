package bench

import "syscall"

// setParentDeathSignal makes the kernel kill a started server if the benchmark process
// dies without running its cleanup (a killed go test), so no server outlives the run.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
