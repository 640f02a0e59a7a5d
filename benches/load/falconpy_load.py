"""The Python SDK's Uber class against the local canned server, for side-by-side figures.

usage: python3 falconpy_load.py BASE_URL COMMANDS THREADS
Prints one JSON line: {"sequential_cmd_s": ..., "pool_cmd_s": ..., "threads": ...}.
"""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from falconpy import APIHarnessV2

base_url, commands, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
falcon = APIHarnessV2(client_id="bench", client_secret="bench", base_url=base_url)
assert falcon.command("QueryIncidents", limit=5)["status_code"] == 200

start = time.perf_counter()
for _ in range(commands):
    falcon.command("QueryIncidents", limit=5)
sequential = commands / (time.perf_counter() - start)


def one(_):
    return falcon.command("QueryIncidents", limit=5)["status_code"]


start = time.perf_counter()
with ThreadPoolExecutor(max_workers=threads) as pool:
    codes = list(pool.map(one, range(commands)))
pooled = commands / (time.perf_counter() - start)
ok = sum(1 for c in codes if c == 200)
print(json.dumps({"sequential_cmd_s": round(sequential, 1), "pool_cmd_s": round(pooled, 1),
                  "threads": threads, "ok": ok, "commands": commands}))
