#!/usr/bin/env python3
# Runs a command and prints the CPU seconds of its whole process tree, for comparing builds and checks on a machine
# whose load moves wall-clock times too much to compare (docs/testing.md). `/usr/bin/time` counts only descendants
# that were waited for: MSBuild's worker nodes (and the compilers they start) outlive the `dotnet` process that started
# them, so their time was lost (44 CPU-seconds counted for a whole build of the solution). Here the command runs under a child
# subreaper (prctl, hence Python's ctypes): orphaned descendants are reparented to it and reaped, so their time counts.
# Build with --disable-build-servers, or the long-lived compiler server's work is counted nowhere.
# Usage: tools/cpu-seconds.py [--grace S] [--report FILE] command...
#   e.g. tools/cpu-seconds.py dotnet build Fleetman.sln -c Release --no-restore --no-incremental --disable-build-servers
#   --grace S    wait for descendants that outlived the command at most S seconds (default: until they all end); one
#                still running then is left running and not counted (a server that serves later commands)
#   --report F   also write "<user> <sys>" (seconds) to F, for a script to read (scripts/test.sh, per test assembly)
import ctypes, os, resource, subprocess, sys, time
args = sys.argv[1:]
grace = None
report = None
while args and args[0] in ("--grace", "--report"):
    if args[0] == "--grace":
        grace = float(args[1])
    else:
        report = args[1]
    args = args[2:]
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
start = time.monotonic()
proc = subprocess.Popen(args)
# Every child reaped as it ends, the command's own and the orphans', so that none stays a zombie that a check
# (`kill -0 <pid>`, as scripts/infra.sh does for a broker a chaos test killed) takes for a running process.
code = None
while code is None:
    pid, status = os.waitpid(-1, 0)
    if pid == proc.pid:
        code = os.waitstatus_to_exitcode(status)
        code = 128 - code if code < 0 else code  # killed by a signal: as a shell reports it
deadline = None if grace is None else time.monotonic() + grace
while True:
    try:
        pid, _ = os.waitpid(-1, 0 if deadline is None else os.WNOHANG)
    except ChildProcessError:
        break
    if pid == 0:
        if time.monotonic() >= deadline:
            break
        time.sleep(0.1)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
if report is not None:
    with open(report, "w") as out:
        out.write(f"{r.ru_utime:.3f} {r.ru_stime:.3f}\n")
print(f"cpu-seconds: {r.ru_utime + r.ru_stime:.1f} (user {r.ru_utime:.1f}, sys {r.ru_stime:.1f}), wall {time.monotonic() - start:.1f} s, exit {code}, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
sys.exit(code)
