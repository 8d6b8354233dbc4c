#!/usr/bin/env python3
"""The JVM-free half of docker/gpu-check.sh, run with the GPU machine's own torch, transformers and peft.

1. logits: Hugging Face's LlamaForCausalLM on the tiny checkpoint that `pocmerge tiny-llama` wrote, without and
   with one of our PEFT adapters (loaded by peft itself), against the logits that `pocmerge generate
   --dump-logits` wrote for the same tokens. Agreement says our forward pass and our PEFT files mean what
   Hugging Face means by them.
2. anchor: HF PEFT training M LoRA adapters one after another (the paper's way: one run per member) on a
   Llama-shaped model with random weights, timed: the number our M-batched step has to beat on this GPU.

Every step reports worked / failed / missing / skipped and why; a missing package or file never stops the
others. Prints one line per step and writes a JSON report (--out). Exit code 1 only if a comparison that ran
disagreed, so the shell script can say "ran, and differs" apart from "could not run".
"""
import argparse
import json
import math
import os
import sys
import time
import traceback

RESULTS = []


def report(step, status, **details):
    RESULTS.append({"step": step, "status": status, **details})
    extra = ", ".join(f"{k}={v}" for k, v in details.items())
    print(f"[{status}] {step}" + (f": {extra}" if extra else ""), flush=True)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def compare_logits(step, model, dump_path, device, tol):
    """Runs the dumped tokens through `model` and compares with our logits (T x V), in float32."""
    import torch

    dump = load_json(dump_path)
    tokens, ours = dump["tokens"], dump["logits"]
    with torch.no_grad():
        ids = torch.tensor([tokens], dtype=torch.long, device=device)
        theirs = model(input_ids=ids).logits[0].float().cpu()
    ours_t = torch.tensor(ours, dtype=torch.float32)
    if tuple(ours_t.shape) != tuple(theirs.shape):
        report(step, "failed", why=f"shape ours {tuple(ours_t.shape)} vs HF {tuple(theirs.shape)}")
        return False
    diff = (ours_t - theirs).abs().max().item()
    scale = theirs.abs().max().item()
    argmax_same = bool((ours_t.argmax(-1) == theirs.argmax(-1)).all().item())
    ok = diff <= tol * max(1.0, scale)
    report(step, "worked" if ok else "failed", max_abs_diff=f"{diff:.3e}", logit_scale=f"{scale:.3e}",
           tolerance=f"{tol:g} x max(1, scale)", argmax_same=argmax_same, tokens=len(tokens))
    return ok


def check_logits(args, device):
    """Part 1. Returns False if a comparison ran and disagreed."""
    try:
        import torch  # noqa: F401
        from transformers import LlamaForCausalLM
    except ImportError as e:
        report("logits", "missing", why=f"{e} (needs torch and transformers)")
        return True
    model_dir = os.path.join(args.bundle, "tiny-llama")
    base_dump = os.path.join(args.bundle, "logits-base.json")
    if not (os.path.isdir(model_dir) and os.path.isfile(base_dump)):
        report("logits base", "missing", why=f"no {model_dir} or {base_dump} in the bundle (pack-gpu-check.sh "
                                             "writes them with tiny-llama and generate --dump-logits)")
        return True
    ok = True
    import torch

    # float32 end to end, as our CPU dump was computed; the checkpoint's bf16 weights upcast exactly
    model = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).to(device).eval()
    ok &= compare_logits("logits base (HF transformers vs pocmerge)", model, base_dump, device, args.tol)

    meta_path = os.path.join(args.bundle, "logits-base.meta.json")
    if os.path.isfile(meta_path):
        try:
            from transformers import AutoTokenizer

            meta = load_json(meta_path)
            tok = AutoTokenizer.from_pretrained(model_dir)
            hf = tok(meta["prompt"], add_special_tokens=True)["input_ids"]
            ours = load_json(base_dump)["tokens"]
            report("tokenizer (HF vs pocmerge, informational)", "worked" if hf == ours else "failed",
                   hf_tokens=len(hf), our_tokens=len(ours), first_difference=next(
                       (i for i, (a, b) in enumerate(zip(hf, ours)) if a != b), None if len(hf) == len(ours)
                       else min(len(hf), len(ours))))
        except Exception as e:  # the tokenizer is not what this step is about: report and go on
            report("tokenizer (HF vs pocmerge, informational)", "failed", why=repr(e))

    adapter_dir = os.path.join(args.bundle, "adapter")
    adapter_dump = os.path.join(args.bundle, "logits-adapter.json")
    if not (os.path.isdir(adapter_dir) and os.path.isfile(adapter_dump)):
        report("logits with our PEFT adapter", "missing",
               why="no adapter/ or logits-adapter.json in the bundle (needs pocmerge finetune and generate "
                   "--adapter when the bundle was packed)")
        return ok
    try:
        from peft import PeftModel
    except ImportError as e:
        report("logits with our PEFT adapter", "missing", why=str(e))
        return ok
    base = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32).to(device)
    peft_model = PeftModel.from_pretrained(base, adapter_dir).to(device).eval()  # eval: LoRA dropout off
    ok &= compare_logits("logits with our PEFT adapter (HF PEFT vs pocmerge)", peft_model, adapter_dump, device,
                         args.tol)
    return ok


SHAPES = {
    # Llama-3.2-1B's shape (tied embeddings), the anchor the issue names
    "1b": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
               num_key_value_heads=8, vocab_size=128256, tie_word_embeddings=True),
    # Config A of ../shared/bench/lora_peer.py, for a quick look
    "peer-a": dict(hidden_size=256, intermediate_size=512, num_hidden_layers=4, num_attention_heads=8,
                   num_key_value_heads=4, vocab_size=1024, tie_word_embeddings=False),
}


def anchor(args):
    """Part 2: M adapters trained one after another with HF PEFT, timed on the GPU."""
    try:
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import LlamaConfig, LlamaForCausalLM
    except ImportError as e:
        report("PEFT anchor", "missing", why=f"{e} (needs torch, transformers, peft)")
        return
    if not torch.cuda.is_available():
        report("PEFT anchor", "skipped", why="torch sees no CUDA device")
        return
    torch.manual_seed(0)
    shape = dict(SHAPES[args.anchor_shape])
    if args.anchor_layers:
        shape["num_hidden_layers"] = args.anchor_layers
    cfg = LlamaConfig(max_position_embeddings=max(2048, args.T), **shape)
    dev = torch.device("cuda")
    t0 = time.time()
    # frozen base in float16 and LoRA in float32, as pocmerge does on CUDA (PEFT keeps adapters float32)
    with dev:
        base = LlamaForCausalLM(cfg).to(torch.float16)
    base.requires_grad_(False)
    n_base = sum(p.numel() for p in base.parameters())
    setup_s = time.time() - t0
    lora = dict(r=args.rank, lora_alpha=2 * args.rank, lora_dropout=0.05, bias="none", task_type="CAUSAL_LM",
                target_modules=["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"])
    tokens_per_step = args.batch * args.T
    step_times = []
    torch.cuda.reset_peak_memory_stats()
    member_seconds = []
    for m in range(args.M):
        model = get_peft_model(base, LoraConfig(**lora))
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        n_lora = sum(p.numel() for p in params)
        opt = torch.optim.AdamW(params, lr=3e-4)
        g = torch.Generator(device=dev).manual_seed(1000 + m)
        tm = time.time()
        for s in range(args.warmup + args.steps):
            ids = torch.randint(0, cfg.vocab_size, (args.batch, args.T), device=dev, generator=g)
            torch.cuda.synchronize()
            ts = time.time()
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            opt.step()
            with torch.no_grad():  # the paper's Langevin noise after AdamW: p += sqrt(2 lambda lr) xi
                for p in params:
                    p.add_(torch.randn_like(p), alpha=math.sqrt(2 * 1e-5 * 3e-4))
            opt.zero_grad(set_to_none=True)
            torch.cuda.synchronize()
            if s >= args.warmup:
                step_times.append(time.time() - ts)
        member_seconds.append(time.time() - tm)
        base = model.unload()  # back to the bare base for the next member, as a fresh run would load it
        del model, opt, params
    step = sum(step_times) / len(step_times)
    # frozen GEMMs: forward 2 N + backward to the activations 2 N FLOPs per token (no weight gradients);
    # the LoRA branch adds ~6 n_lora per token
    flops = (4 * n_base + 6 * n_lora) * tokens_per_step
    report("PEFT anchor (M adapters one after another)", "worked",
           gpu=torch.cuda.get_device_name(0), torch=torch.__version__, shape=args.anchor_shape,
           layers=shape["num_hidden_layers"], base_params=n_base, lora_params_per_member=n_lora, M=args.M,
           T=args.T, batch=args.batch, steps_per_member=args.steps, step_s=f"{step:.4f}",
           tokens_per_s=round(tokens_per_step / step), tflops=f"{flops / step / 1e12:.1f}",
           ensemble_s_per_step_of_all_M=f"{args.M * step:.3f}", peak_gib=f"{torch.cuda.max_memory_allocated() / 2**30:.1f}",
           model_setup_s=f"{setup_s:.1f}", member_wall_s=[round(x, 1) for x in member_seconds])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", required=True, help="unpacked pack-gpu-check.sh bundle")
    ap.add_argument("--out", required=True, help="folder for gpu_check_python.json")
    ap.add_argument("--tol", type=float, default=1e-4, help="max |ours - HF| relative to max(1, max |logit|)")
    ap.add_argument("--skip-anchor", action="store_true")
    ap.add_argument("--anchor-shape", choices=sorted(SHAPES), default="1b")
    ap.add_argument("--anchor-layers", type=int, default=0, help="override the shape's layer count")
    ap.add_argument("--M", type=int, default=8)
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--T", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=10, help="timed steps per member")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps per member")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    agree = True
    try:
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
        report("python torch", "worked", torch=torch.__version__, cuda=torch.version.cuda, device=device)
    except ImportError as e:
        report("python torch", "missing", why=str(e))
        device = None
    for name, fn in (("logits", lambda: check_logits(args, device)),
                     ("anchor", lambda: None if args.skip_anchor else anchor(args))):
        if device is None:
            report(name, "skipped", why="no torch")
            continue
        try:
            if fn() is False:
                agree = False
        except Exception as e:  # one step's crash is that step's result, not the end of the check
            report(name, "failed", why=repr(e), trace=traceback.format_exc(limit=3).replace("\n", " | "))
    with open(os.path.join(args.out, "gpu_check_python.json"), "w", encoding="utf-8") as f:
        json.dump(RESULTS, f, indent=1)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
