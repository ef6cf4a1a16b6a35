#!/usr/bin/env python3
"""Summarises async-profiler collapsed stacks recorded with the `threads` option (bench/profile.sh):
samples per thread pool (thread names without their numbers), the frames with the most samples of
their own (self), and the Java methods found in the most samples anywhere on the stack (total)."""
import collections
import re
import sys


def pool(thread_frame):
    name = re.sub(r"\s*tid=\d+", "", thread_frame.strip("[]"))
    return re.sub(r"[-_#]?\d+$", "", name.strip()) or name


def main(path, top=25):
    pools, self_, total = collections.Counter(), collections.Counter(), collections.Counter()
    samples = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            n = int(count)
            frames = stack.split(";")
            samples += n
            pools[pool(frames[0]) if frames[0].startswith("[") else "?"] += n
            self_[frames[-1]] += n
            for frame in set(frames[1:]):
                if "." in frame or "/" in frame:
                    total[frame] += n
    print(f"samples: {samples}")
    print("\nper thread pool:")
    for name, n in pools.most_common(top):
        print(f"  {100 * n / samples:5.1f}%  {n:7d}  {name}")
    print("\nself (hottest frames):")
    for frame, n in self_.most_common(top):
        print(f"  {100 * n / samples:5.1f}%  {n:7d}  {frame[:150]}")
    print("\ntotal (Java frames anywhere on the stack):")
    for frame, n in total.most_common(top * 2):
        print(f"  {100 * n / samples:5.1f}%  {n:7d}  {frame[:150]}")


if __name__ == "__main__":
    main(sys.argv[1])
