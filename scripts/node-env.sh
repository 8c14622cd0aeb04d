#!/usr/bin/env bash
# Sourced (never run) by the scripts that start Node processes: puts the project's own Node.js (the
# `node` dev dependency, 24 LTS) first on the PATH whatever the machine has, and stops when it is
# missing or older than package.json's engines. npm scripts already have node_modules/.bin first on
# their PATH; this also covers `bash scripts/…` run by hand.
_node_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$_node_root/node_modules/.bin:$PATH"
_node_min=$(node -p "require('$_node_root/package.json').engines.node.match(/\d+/)[0]")
if (($(node -p 'process.versions.node.split(".")[0]') < _node_min)); then
  echo "node $(node -v) is too old: the project runs on Node.js >= $_node_min (npm ci installs it" \
    "into node_modules/.bin)" >&2
  exit 1
fi
unset _node_root _node_min
