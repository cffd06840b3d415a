#!/usr/bin/env bash
# Installs what the extension's end-to-end tests need on a fresh Debian 12 machine (see docs/extension.md):
# chromium (driven by playwright-core), ripgrep (seeds @vscode/ripgrep's download cache: its postinstall
# would otherwise call GitHub), libkrb5-dev (code-server's kerberos module), then code-server 4.100.3 into
# test/e2e/node_modules, apart from the root package. Safe to run twice. About 3–5 minutes.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium ripgrep libkrb5-dev >/dev/null
fi
tmp="${TMPDIR:-/tmp}"
# The cache folder carries @vscode/ripgrep's version; seed the ones code-server 4.100.x may use.
for v in 1.15.9 1.15.10 1.15.11 1.15.12 1.15.13 1.15.14; do
  mkdir -p "$tmp/vscode-ripgrep-cache-$v"
  tar -C "$(dirname "$(command -v rg)")" -czf "$tmp/vscode-ripgrep-cache-$v/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" rg
done
if [ ! -f node_modules/code-server/out/node/entry.js ] || [ ! -d node_modules/playwright-core ]; then
  npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund
fi
node -e "console.log('code-server', require('./node_modules/code-server/package.json').version, '+ playwright-core', require('./node_modules/playwright-core/package.json').version)"
