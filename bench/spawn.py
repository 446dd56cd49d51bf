"""Run one command and print `seconds maxrss_kib exit_code` for it: run.py's measuring wrapper.

A child's ru_maxrss includes the RSS of the process it was forked from (Linux keeps the old
mm's high-water mark across exec), so the bench's own large parent would inflate small
commands. This wrapper starts small (`python -I -S`), so only the command's own peak shows.
"""

import os
import sys
import time


def main() -> int:
    cmd = sys.argv[1:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    start = time.perf_counter()
    pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.6f} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
