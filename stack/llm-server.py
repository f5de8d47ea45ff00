"""The agent's local model server, started by stack/llm.ts.

llama.cpp's own HTTP server (OpenAI-compatible /v1/chat/completions with streaming and
response_format json_schema, /v1/models, /health), run in-process by xllamacpp: constructing
xllamacpp.Server loads the model and serves on native threads until this process ends. The
model is named by --alias in /v1/models and in answers; any `model` in a request is accepted.
SIGTERM or SIGINT ends the process at once (nothing to save).
"""

import argparse
import os
import signal
import sys
import threading
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the GGUF file")
    parser.add_argument("--alias", required=True, help="the model's name in the API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=2, help="requests served at once")
    parser.add_argument("--ctx-per-slot", type=int, default=4096, help="tokens per request")
    args = parser.parse_args()

    def stop(signum, _frame):
        print(f"staysaga-llm: {signal.Signals(signum).name}, stopping", flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    import xllamacpp as xlc

    started = time.monotonic()
    params = xlc.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}
    params.hostnames = [args.host]
    params.port = args.port
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.n_parallel = args.parallel
    # The context is shared out evenly between the slots (kv_unified is off).
    params.n_ctx = args.ctx_per_slot * args.parallel
    params.ui = False
    server = xlc.Server(params)
    print(
        f"staysaga-llm: serving {args.alias} at {server.listening_address}/v1 "
        f"(loaded in {time.monotonic() - started:.1f}s, {args.threads} threads, "
        f"{args.parallel} slots of {args.ctx_per_slot} tokens)",
        flush=True,
    )
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
