#!/usr/bin/env bash
# The WebGPU check for a machine with a GPU (docs/webgpu.md): what the adapter
# is, ms per G+D training step and per Grad-CAM batch (batch 64) on webgpu at
# widths 16/32/64 beside native-cpu, a 2-epoch run of the default preset on
# webgpu through the CLI, and PyTorch CUDA's time for the same step on the
# same machine. Writes everything under $OUT (default bench-gpu-<date>/) and
# prints a summary with the ratio webgpu / PyTorch CUDA.
#
#   bench/gpu-check.sh                      # after npm ci, from the repository
#   TORCH_PYTHON=.venv/bin/python bench/gpu-check.sh   # a Python whose torch has CUDA
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-bench-gpu-$(date -u +%Y%m%dT%H%M%SZ)}"
PY="${TORCH_PYTHON:-python3}"
mkdir -p "$OUT"
echo "results in $OUT"

echo "== doctor (GAN_FOCUS_BACKEND unset: what the app would choose)"
npx gan-focus doctor 2>&1 | tee "$OUT/doctor.txt"
echo "== doctor (GAN_FOCUS_BACKEND=webgpu)"
GAN_FOCUS_BACKEND=webgpu npx gan-focus doctor 2>&1 | tee "$OUT/doctor-webgpu.txt"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUT/nvidia-smi.csv"

echo "== bench: webgpu and native-cpu, widths 16/32/64, batch 64"
npm run --silent bench -- --json --no-reference --backends webgpu,native-cpu --width 16,32,64 2>&1 | tee "$OUT/bench.jsonl"

echo "== PyTorch CUDA: the same cases"
if "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  "$PY" bench/reference/dcgan_step.py --device cuda --width 16 --width 32 --width 64 2>&1 | tee "$OUT/torch-cuda.jsonl"
else
  echo "skipped: $PY has no torch with CUDA (set TORCH_PYTHON to one that has)" | tee "$OUT/torch-cuda.jsonl"
fi

echo "== 2-epoch run of the default preset on webgpu (the CLI, as a user trains)"
GAN_FOCUS_BACKEND=webgpu npm run --silent bench -- --recipe --json -- --epochs 2 2>&1 | tee "$OUT/recipe-webgpu.jsonl"

echo "== summary"
node --input-type=module - "$OUT" <<'EOF'
import { readFileSync } from 'node:fs';
const dir = process.argv[2];
const lines = (f) => {
  try {
    return readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};
const torch = new Map(lines('torch-cuda.jsonl').map((r) => [`${r.case} ${r.width}`, r.ms]));
for (const r of lines('bench.jsonl').filter((r) => r.case && r.width)) {
  const t = torch.get(`${r.case} ${r.width}`);
  const ratio = t ? `  torch-cuda ${t.toFixed(1)} ms  ratio ${(r.ms / t).toFixed(2)}` : '';
  console.log(`${r.case.padEnd(15)} w${String(r.width).padEnd(3)} ${r.backend.padEnd(11)} ${r.ms.toFixed(1).padStart(9)} ms${ratio}`);
}
for (const r of lines('recipe-webgpu.jsonl').filter((r) => r.case === 'recipe'))
  console.log(`recipe (2 epochs) ${r.backend}: wall ${r.wallSeconds.toFixed(0)} s; per epoch ${r.epochSeconds.map((s) => s.toFixed(0)).join(' ')} s${r.error ? `; ${r.error}` : ''}`);
EOF
