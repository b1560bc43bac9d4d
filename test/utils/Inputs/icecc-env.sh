#!/usr/bin/env bash
# icecc-env.sh CLANG PLUGIN: prints the path of an icecream environment
# tarball for CLANG that carries PLUGIN at its own absolute path (the
# recipe's `icecc-create-env --clang CLANG --addfile PLUGIN`), making it if
# needed. icecc-create-env copies and strips the compiler and its libraries
# (libLLVM, libclang-cpp: about 90 MB compressed, a minute on a busy
# machine), so the tarball is kept in $XDG_CACHE_HOME/allocsel-icecc-env
# (the suite's is in the build tree), named by the SHA-256 of the compiler
# and the plugin: a rebuilt plugin makes a new one.
set -eu
clang=$(readlink -f -- "$1")
plugin=$(readlink -f -- "$2")
dir=${XDG_CACHE_HOME:-$HOME/.cache}/allocsel-icecc-env
mkdir -p "$dir"
key=$(cat "$clang" "$plugin" | sha256sum | cut -c1-32)
env=$dir/$key.tar.gz
if [[ ! -f $env ]]; then
  tmp=$(mktemp -d "$dir/make.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && icecc-create-env --clang "$clang" --addfile "$plugin") > "$tmp/log" 2>&1 ||
    { echo "icecc-env.sh: icecc-create-env failed:" >&2; cat "$tmp/log" >&2; exit 1; }
  made=$(sed -n 's/^creating \(.*\)$/\1/p' "$tmp/log")
  [[ -n $made && -f $tmp/$made ]] || { echo "icecc-env.sh: no tarball:" >&2; cat "$tmp/log" >&2; exit 1; }
  # The plugin must be in it, where -fplugin= names it.
  tar -tzf "$tmp/$made" | grep -qx "${plugin#/}" ||
    { echo "icecc-env.sh: $plugin is not in $made" >&2; exit 1; }
  mv "$tmp/$made" "$env"
fi
echo "$env"
