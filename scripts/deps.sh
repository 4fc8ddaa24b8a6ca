#!/bin/bash
# deps.sh - make sure the Debian 12 packages this project needs are installed.
#
# Quick and offline when everything is present (one dpkg-query call). When
# something is missing it runs apt-get update + install (as root, or through
# sudo without a password). When it cannot install (not Debian, no root and no
# sudo) it says what to install and exits non-zero.
#
# IRRD_SKIP_DEPS=1 skips the check (e.g. on another distribution where you
# installed the equivalents yourself).
set -euo pipefail

PKGS=(
	# build
	build-essential pkg-config make clang libclang-rt-14-dev
	# libraries (see PKGS in the Makefile)
	libpq-dev libevent-dev libcurl4-openssl-dev libjansson-dev libpcre2-dev
	libesmtp-dev libyaml-dev libssl-dev libcrypt-dev libgpgme-dev zlib1g-dev
	libexpat1-dev
	# PostgreSQL 15 server and client (scripts/pg.sh runs private clusters)
	postgresql postgresql-15 postgresql-client-15
	# runtime and test tools
	python3 gnupg time rsync openssh-server openssh-client ca-certificates
	openssl curl netcat-openbsd util-linux procps iproute2 git
	# clients and peers the tests and benchmarks talk to or compare with
	bgpq4 whois rtr-tools rpki-client fort-validator stayrtr
)

if [ "${IRRD_SKIP_DEPS:-}" = 1 ]; then
	exit 0
fi

prog=deps.sh
missing=()

if command -v dpkg-query >/dev/null 2>&1; then
	# One call for all packages; unknown packages are simply not listed.
	declare -A have=()
	while read -r name status; do
		if [ "$status" = installed ]; then
			have[$name]=1
		fi
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null || :)
	for p in "${PKGS[@]}"; do
		if [ -z "${have[$p]:-}" ]; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -eq 0 ]; then
		exit 0
	fi
else
	missing=("${PKGS[@]}")
fi

explain() {
	echo "$prog: $1" >&2
	echo "$prog: this project needs these Debian 12 packages (or your system's equivalents):" >&2
	echo "    apt-get install ${missing[*]}" >&2
	echo "$prog: install them (as root), or set IRRD_SKIP_DEPS=1 if you installed equivalents yourself." >&2
	exit 1
}

if [ ! -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
	explain "this is not a Debian system, so packages cannot be installed automatically"
fi
if ! grep -q '^12' /etc/debian_version && ! grep -q 'bookworm' /etc/debian_version; then
	echo "$prog: warning: Debian $(cat /etc/debian_version) is not Debian 12 (bookworm); trying anyway" >&2
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO=(sudo -n)
else
	explain "missing packages and not root (and no password-less sudo): ${missing[*]}"
fi

echo "$prog: installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "${missing[@]}" </dev/null >&2

# Verify.
still=()
for p in "${missing[@]}"; do
	if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || :)" != installed ]; then
		still+=("$p")
	fi
done
if [ ${#still[@]} -ne 0 ]; then
	missing=("${still[@]}")
	explain "apt-get did not install: ${still[*]}"
fi
echo "$prog: all dependencies installed" >&2
