"""Status replies parsed per second.

python bench/replies.py [--n 200000]
"""

from __future__ import annotations

import argparse
import time

from bot.reading.replies import parse_reply

SAMPLES = [
    "đã xong",
    "xong r",
    "dang lam 50%",
    "đang triển khai",
    "vướng: chưa có hướng dẫn",
    "khó khăn về kinh phí",
    "chưa",
    "chưa triển khai",
    "không phát sinh",
    "ok",
    "dạ",
    "👍",
    "đã ban hành KH số 12/KH-VHXH",
    "đã xong 80%",
    "3: đã xong",
    "da gui bc ve phong",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    for i in range(args.n):
        parse_reply(SAMPLES[i % len(SAMPLES)])
    elapsed = time.perf_counter() - t0
    print(
        f"replies={args.n} elapsed={elapsed:.2f}s rate={args.n / elapsed:,.0f}/s "
        f"({elapsed / args.n * 1e6:.1f} µs per reply)"
    )


if __name__ == "__main__":
    main()
