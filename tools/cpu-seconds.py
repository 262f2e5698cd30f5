#!/usr/bin/env python3
# Runs a command and prints the CPU seconds of its whole process tree, for comparing builds and checks on a machine
# whose load moves wall-clock times too much to compare (docs/testing.md). `/usr/bin/time` counts only descendants
# that were waited for: MSBuild's worker nodes (and the compilers they start) outlive the `dotnet` process that started
# them, so their time was lost (44 CPU-seconds counted for a whole build of the solution). Here the command runs under a child
# subreaper (prctl, hence Python's ctypes): orphaned descendants are reparented to it and reaped, so their time counts.
# Build with --disable-build-servers, or the long-lived compiler server's work is counted nowhere.
# Usage: tools/cpu-seconds.py dotnet build Fleetman.sln -c Release --no-restore --no-incremental --disable-build-servers
import ctypes, os, resource, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.monotonic()
proc = subprocess.Popen(sys.argv[1:])
code = proc.wait()
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"cpu-seconds: {r.ru_utime + r.ru_stime:.1f} (user {r.ru_utime:.1f}, sys {r.ru_stime:.1f}), wall {time.monotonic() - start:.1f} s, exit {code}, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
sys.exit(code)
